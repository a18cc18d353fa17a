package dev.meshjoin.cli.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The backend meshctl ships: levels, text lines and JSON lines on standard error. */
class CliLoggingTest {
    private final PrintStream realErr = System.err;
    private final PrintStream realOut = System.out;

    @AfterEach
    void restore() {
        System.setErr(realErr);
        System.setOut(realOut);
        CliLogging.configure("info", false);
    }

    private String capture(String level, boolean json, Runnable logging) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        CliLogging.configure(level, json);
        logging.run();
        assertThat(out.toString(StandardCharsets.UTF_8)).as("nothing is logged to standard output").isEmpty();
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void jsonWritesOneObjectPerLineWithLevelLoggerAndMessage() throws Exception {
        Logger log = LoggerFactory.getLogger("dev.meshjoin.core.MeshNode");
        String text = capture("info", true, () -> {
            log.info("admitted {} at {}", "node-2", "10.42.0.2");
            log.warn("multi\nline \"quoted\"");
            log.debug("not shown at info");
        });
        List<String> lines = text.lines().toList();
        assertThat(lines).hasSize(2);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode first = mapper.readTree(lines.get(0));
        assertThat(first.get("level").asText()).isEqualTo("INFO");
        assertThat(first.get("loggerName").asText()).isEqualTo("dev.meshjoin.core.MeshNode");
        assertThat(first.get("formattedMessage").asText()).isEqualTo("admitted node-2 at 10.42.0.2");
        assertThat(first.has("timestamp")).isTrue();
        assertThat(mapper.readTree(lines.get(1)).get("formattedMessage").asText()).isEqualTo("multi\nline \"quoted\"");
    }

    @Test
    void textHonoursTheLevel() {
        Logger log = LoggerFactory.getLogger("dev.meshjoin.nebula.daemon");
        String warnOnly = capture("warn", false, () -> {
            log.info("chatter");
            log.warn("trouble");
        });
        assertThat(warnOnly).doesNotContain("chatter").containsPattern("WARN +daemon: trouble");
        assertThat(warnOnly.lines()).hasSize(1);
        String debug = capture("debug", false, () -> log.debug("detail"));
        assertThat(debug).containsPattern("DEBUG +daemon: detail");
    }

    @Test
    void systemLoggerRecordsOfTheJdkOnlyModulesReachTheSameBackendAndFormat() throws Exception {
        assertThat(System.LoggerFinder.getLoggerFinder()).isInstanceOf(Slf4jLoggerFinder.class);
        System.Logger log = System.getLogger("dev.meshjoin.store.file.FileBootstrapStore");
        String text = capture("info", true, () -> {
            log.log(System.Logger.Level.WARNING, "moved the damaged file {0} aside", "mesh/x");
            log.log(System.Logger.Level.DEBUG, "not shown at info");
            log.log(System.Logger.Level.ERROR, "failed", new IllegalStateException("cause"));
        });
        List<String> lines = text.lines().toList();
        assertThat(lines).hasSize(2);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode first = mapper.readTree(lines.get(0));
        assertThat(first.get("level").asText()).isEqualTo("WARN");
        assertThat(first.get("loggerName").asText()).isEqualTo("dev.meshjoin.store.file.FileBootstrapStore");
        assertThat(first.get("formattedMessage").asText()).isEqualTo("moved the damaged file mesh/x aside");
        JsonNode second = mapper.readTree(lines.get(1));
        assertThat(second.get("level").asText()).isEqualTo("ERROR");
        assertThat(second.get("throwable").toString()).contains("cause");
        assertThat(log.isLoggable(System.Logger.Level.INFO)).isTrue();
        assertThat(log.isLoggable(System.Logger.Level.DEBUG)).isFalse();
        assertThat(log.isLoggable(System.Logger.Level.OFF)).isFalse();
    }

    @Test
    void theSecretSourcesOwnWarningIsLeftToTheCommandsThatPrintIt() {
        String text = capture("info", false, () -> System.getLogger(CliLogging.SECRET_SOURCE)
                .log(System.Logger.Level.WARNING, "MESH_SECRET_FILE: f is readable by every user"));
        assertThat(text).isEmpty();
    }
}
