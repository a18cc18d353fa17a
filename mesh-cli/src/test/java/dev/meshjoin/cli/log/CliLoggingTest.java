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
}
