package dev.meshjoin.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** meshctl up --lighthouse needs a public endpoint and the CA passphrase; refused before anything is written. */
class UpLighthouseFlagsTest {
    @TempDir
    Path dir;

    private record Run(int status, String err) {
    }

    private Run up(Map<String, String> env, String... extra) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("up", "--name", "n1", "--store", "file:" + dir.resolve("store"),
                "--state-dir", dir.resolve("state").toString()));
        args.addAll(List.of(extra));
        int status = new Meshctl().run(new Invocation(args, Meshctl.emptyInput(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, UTF_8), env, dir));
        return new Run(status, err.toString(UTF_8));
    }

    private void nothingWritten() {
        assertThat(dir.resolve("store")).doesNotExist();
        assertThat(dir.resolve("state")).doesNotExist();
    }

    @Test
    void aLighthouseWithoutAPublicEndpointIsAUsageError() {
        Run r = up(Map.of("MESH_SECRET", "a-network-secret-long-enough", "MESH_CA_PASSPHRASE", "a-ca-passphrase-long-enough"),
                "--lighthouse");
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err.strip()).isEqualTo("up: --lighthouse needs --public-endpoint HOST:PORT (where peers reach this"
                + " lighthouse's Nebula port) and the CA passphrase in MESH_CA_PASSPHRASE or MESH_CA_PASSPHRASE_FILE");
        nothingWritten();
    }

    @Test
    void aLighthouseWithoutTheCaPassphraseIsRefused() {
        Run r = up(Map.of("MESH_SECRET", "a-network-secret-long-enough"), "-lighthouse", "-public-endpoint", "127.0.0.1:4242");
        assertThat(r.status).isEqualTo(1);
        assertThat(r.err).contains("set the CA passphrase in MESH_CA_PASSPHRASE or MESH_CA_PASSPHRASE_FILE");
        nothingWritten();
    }

    @Test
    void badWatchSettingsAreRefused() {
        Map<String, String> env = Map.of("MESH_SECRET", "a-network-secret-long-enough",
                "MESH_CA_PASSPHRASE", "a-ca-passphrase-long-enough");
        Run target = up(env, "--public-endpoint", "127.0.0.1:4242", "--lighthouse-target", "two");
        assertThat(target.status).isEqualTo(2);
        assertThat(target.err).contains("up: -lighthouse-target takes a whole number, got 'two'");
        Run zero = up(env, "--public-endpoint", "127.0.0.1:4242", "--lighthouse-target", "0");
        assertThat(zero.status).isEqualTo(2);
        assertThat(zero.err).contains("the target number of lighthouses must be at least 1");
        nothingWritten();
    }
}
