package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevokeCommandTest {
    @TempDir
    Path dir;

    private String[] run(List<String> args, Map<String, String> env) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Meshctl().run(new Invocation(args, Meshctl.emptyInput(), new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env, dir));
        return new String[] {Integer.toString(status), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void withoutTheCaPassphraseNothingIsRevoked() {
        String[] r = run(List.of("revoke", "--store", "file:" + dir.resolve("s"), "--network", "prod", "worker-7"), Map.of());
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).contains("needs the CA passphrase").contains("MESH_CA_PASSPHRASE_FILE").hasLineCount(1);
        assertThat(dir.resolve("s")).doesNotExist();
    }

    @Test
    void exactlyOneNodeIsNamed() {
        String[] r = run(List.of("revoke", "--store", "file:" + dir, "a", "b"), Map.of("MESH_CA_PASSPHRASE", "x".repeat(20)));
        assertThat(r[0]).isNotEqualTo("0");
        assertThat(r[2]).contains("usage: meshctl revoke");
    }

    @Test
    void anUnknownNetworkIsRefusedWithWhatToCheck() {
        String[] r = run(List.of("revoke", "--store", "file:" + dir, "--network", "nope", "worker-7"),
                Map.of("MESH_CA_PASSPHRASE", "x".repeat(20)));
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).contains("network nope does not exist").contains("--store");
    }

    @Test
    void upRefusesACertificateValidityBelowAMinute() {
        String[] r = run(List.of("up", "--name", "n", "--store", "file:" + dir, "--state-dir", dir.resolve("n").toString(),
                "--cert-validity", "30s"), Map.of("MESH_SECRET", "a-network-secret-of-some-length"));
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).contains("cert-validity").contains("is below 1m");
    }
}
