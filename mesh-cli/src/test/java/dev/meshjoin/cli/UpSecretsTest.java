package dev.meshjoin.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** meshctl up's secrets, refused before anything is opened or written. */
class UpSecretsTest {
    @TempDir
    Path dir;

    private record Run(int status, String err) {
    }

    private Run up(Map<String, String> env) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Meshctl().run(new Invocation(List.of("up", "--name", "n1", "--store",
                "file:" + dir.resolve("store"), "--state-dir", dir.resolve("state").toString(),
                "--public-endpoint", "127.0.0.1:4242"), Meshctl.emptyInput(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, UTF_8), env, dir));
        return new Run(status, err.toString(UTF_8));
    }

    private Path file(String name, String content, String perms) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content, UTF_8);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return f;
    }

    private void nothingWritten() {
        assertThat(dir.resolve("store")).doesNotExist();
        assertThat(dir.resolve("state")).doesNotExist();
    }

    @Test
    void aWeakCaPassphraseIsRefusedWithWhatToDo() {
        Run r = up(Map.of("MESH_SECRET", "a-network-secret-long-enough", "MESH_CA_PASSPHRASE", "x"));
        assertThat(r.status).isEqualTo(1);
        assertThat(r.err.strip()).isEqualTo("up: MESH_CA_PASSPHRASE is 1 characters; the CA passphrase must be at"
                + " least 16 (a random one: openssl rand -base64 32 > ca-passphrase; chmod 600 ca-passphrase;"
                + " MESH_CA_PASSPHRASE_FILE=ca-passphrase)");
        nothingWritten();
    }

    @Test
    void aTruncatedNetworkKeyIsRefusedBeforeAnythingIsWritten() {
        String key = new String(dev.meshjoin.core.signing.NetworkSecretCredentials.generateKey());
        Run r = up(Map.of("MESH_SECRET", key.substring(0, 40), "MESH_CA_PASSPHRASE", "a-ca-passphrase-long-enough"));
        assertThat(r.status).isEqualTo(1);
        assertThat(r.err).contains("not a whole network key").contains("meshctl secret generate")
                .doesNotContain(key.substring(5, 40));
        nothingWritten();
    }

    @Test
    void theCaPassphraseFileIsReadAndJudgedTheSame() throws Exception {
        Path weak = file("ca-weak", "short\n", "rw-------");
        Run r = up(Map.of("MESH_SECRET", "a-network-secret-long-enough", "MESH_CA_PASSPHRASE_FILE", weak.toString()));
        assertThat(r.err).contains("up: MESH_CA_PASSPHRASE_FILE (" + weak + ") is 5 characters");
        Path same = file("ca-same", "a-network-secret-long-enough\n", "rw-------");
        Run s = up(Map.of("MESH_SECRET", "a-network-secret-long-enough", "MESH_CA_PASSPHRASE_FILE", same.toString()));
        assertThat(s.err).contains("MESH_CA_PASSPHRASE must differ from MESH_SECRET");
        nothingWritten();
    }

    @Test
    void bothTheVariableAndItsFileAreRefused() throws Exception {
        Path f = file("secret", "a-network-secret-long-enough", "rw-------");
        Map<String, String> env = new HashMap<>();
        env.put("MESH_SECRET", "a-network-secret-long-enough");
        env.put("MESH_SECRET_FILE", f.toString());
        Run r = up(env);
        assertThat(r.status).isEqualTo(1);
        assertThat(r.err).contains("both MESH_SECRET and MESH_SECRET_FILE are set; unset one").hasLineCount(1);
        nothingWritten();
    }

    @Test
    void aMissingSecretFileIsNamed() {
        Run r = up(Map.of("MESH_SECRET_FILE", dir.resolve("absent").toString()));
        assertThat(r.err).contains("MESH_SECRET_FILE names " + dir.resolve("absent") + ", which does not exist");
        nothingWritten();
    }

    @Test
    void aSecretFileOthersCanReadIsWarnedAbout() throws Exception {
        Path f = file("secret", "a-network-secret-long-enough\n", "rw-r--r--");
        // The process's standard error too, where the log goes: the warning is said once in all.
        PrintStream realErr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, UTF_8));
        Run r;
        try {
            dev.meshjoin.cli.log.CliLogging.configure("info", false);
            r = up(Map.of("MESH_SECRET_FILE", f.toString(), "MESH_CA_PASSPHRASE", "x"));
        } finally {
            System.setErr(realErr);
            dev.meshjoin.cli.log.CliLogging.configure("info", false);
        }
        assertThat(r.err).contains("up: warning: MESH_SECRET_FILE: " + f + " is readable by every user")
                .doesNotContain("a-network-secret-long-enough");
        String all = r.err + log.toString(UTF_8);
        assertThat(all.lines().filter(l -> l.contains("is readable by every user")).count()).as(all).isEqualTo(1);
    }

    @Test
    void withJsonLogsTheWarningIsAJsonLineToo() throws Exception {
        Path f = file("secret", "a-network-secret-long-enough\n", "rw-r--r--");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            new Meshctl().run(new Invocation(List.of("-log-format", "json", "up", "--name", "n1", "--store",
                    "file:" + dir.resolve("store"), "--state-dir", dir.resolve("state").toString(),
                    "--public-endpoint", "127.0.0.1:4242"), Meshctl.emptyInput(),
                    new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, UTF_8),
                    Map.of("MESH_SECRET_FILE", f.toString(), "MESH_CA_PASSPHRASE", "x"), dir));
        } finally {
            dev.meshjoin.cli.log.CliLogging.configure("info", false);
        }
        String line = err.toString(UTF_8).lines().filter(l -> l.contains("readable by every user")).findFirst().orElseThrow();
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
        assertThat(json.get("event").asText()).isEqualTo("warning");
        assertThat(json.get("command").asText()).isEqualTo("up");
        assertThat(json.get("warning").asText()).isEqualTo("MESH_SECRET_FILE: " + f + " is readable by every user;"
                + " restrict it with chmod 600 (or the secret mount's mode option)");
        // And the refusal it ends with (the CA passphrase is too short): every line one JSON object.
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> lines = err.toString(UTF_8).lines().filter(l -> !l.isBlank()).toList();
        for (String l : lines) {
            assertThat(mapper.readTree(l).isObject()).as(l).isTrue();
        }
        com.fasterxml.jackson.databind.JsonNode last = mapper.readTree(lines.get(lines.size() - 1));
        assertThat(last.get("event").asText()).isEqualTo("error");
        assertThat(last.get("exit").asInt()).isEqualTo(1);
        assertThat(last.get("message").asText()).startsWith("up: MESH_CA_PASSPHRASE is 1 characters");
    }
}
