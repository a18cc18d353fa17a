package dev.meshjoin.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.core.secret.FernetCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretCommandTest {
    private static final Map<String, String> ENV = Map.of("MESH_SECRET", "network secret");

    private record Run(int status, byte[] out, String err) {
        String text() {
            return new String(out, UTF_8);
        }
    }

    private static Run meshctl(Map<String, String> env, byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("secret"));
        all.addAll(List.of(args));
        int status = new Meshctl().run(new Invocation(all, new ByteArrayInputStream(stdin), new PrintStream(out),
                new PrintStream(err, true, UTF_8), env, Path.of(".")));
        return new Run(status, out.toByteArray(), err.toString(UTF_8));
    }

    @Test
    void eachCodecRoundTripsThroughTheCommandLine() {
        byte[] value = "line one\nline two\n\u00fc".getBytes(UTF_8);
        for (String codec : List.of("default", "fernet-legacy")) {
            Run sealed = meshctl(ENV, value, "seal", "-codec", codec);
            assertThat(sealed.status).as(sealed.err).isZero();
            assertThat(sealed.text()).endsWith("\n").doesNotContain("line one");
            Run opened = meshctl(ENV, sealed.out, "open", "-codec", codec);
            assertThat(opened.status).as(opened.err).isZero();
            assertThat(opened.out).isEqualTo(value);
        }
        Map<String, String> fernetEnv = Map.of("MESH_SECRET", FernetCodec.generateKey());
        Run sealed = meshctl(fernetEnv, value, "seal", "--codec=fernet");
        assertThat(meshctl(fernetEnv, sealed.out, "open", "--codec=fernet").out).isEqualTo(value);
    }

    @Test
    void theDefaultCodecsSaltTravelsWithTheValue() {
        String salt = Base64.getUrlEncoder().encodeToString(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        Run a = meshctl(ENV, "v".getBytes(UTF_8), "seal", "-salt", salt, "-aad", "mesh/prod/x");
        Run b = meshctl(ENV, "v".getBytes(UTF_8), "seal", "-aad", "mesh/prod/x");
        byte[] envelopeA = Base64.getUrlDecoder().decode(a.text().strip());
        byte[] envelopeB = Base64.getUrlDecoder().decode(b.text().strip());
        assertThat(new String(envelopeA, UTF_8)).isNotEqualTo(new String(envelopeB, UTF_8));
        // Both open with the passphrase alone, each with the salt it carries.
        assertThat(meshctl(ENV, a.out, "open", "-aad", "mesh/prod/x").text()).isEqualTo("v");
        assertThat(meshctl(ENV, b.out, "open", "-aad", "mesh/prod/x").text()).isEqualTo("v");
    }

    @Test
    void rawModeWritesAndReadsTheExactStoredBytes() {
        Run sealed = meshctl(ENV, "v".getBytes(UTF_8), "seal", "-raw", "-aad", "k");
        assertThat(sealed.out[0]).isEqualTo((byte) 1); // the envelope's format version, not text
        assertThat(meshctl(ENV, sealed.out, "open", "-raw", "-aad", "k").text()).isEqualTo("v");
    }

    @Test
    void refusalsAreOneLineAndNonZero() {
        byte[] v = "v".getBytes(UTF_8);
        Run noSecret = meshctl(Map.of(), v, "seal");
        assertThat(noSecret.status).isEqualTo(1);
        assertThat(noSecret.err).contains("MESH_SECRET").hasLineCount(1);
        assertThat(meshctl(Map.of("VPN_ENCRYPTION_KEY", ""), v, "seal").err).contains("empty").hasLineCount(1);
        assertThat(meshctl(Map.of("MESH_SECRET", "a", "VPN_ENCRYPTION_KEY", "b"), v, "seal").err).contains("differ");
        assertThat(meshctl(ENV, v, "frob").status).isEqualTo(2);
        assertThat(meshctl(ENV, v, "seal", "-codec", "rot13").err).contains("unknown -codec").hasLineCount(1);

        Run sealed = meshctl(ENV, v, "seal", "-aad", "mesh/prod/a");
        Run moved = meshctl(ENV, sealed.out, "open", "-aad", "mesh/prod/b");
        assertThat(moved.status).isEqualTo(1);
        assertThat(moved.out).isEmpty();
        assertThat(moved.err).startsWith("secret: ").contains("another store key").hasLineCount(1);

        Run wrong = meshctl(Map.of("VPN_ENCRYPTION_KEY", "other secret"), sealed.out, "open", "-aad", "mesh/prod/a");
        assertThat(wrong.status).isEqualTo(1);
        assertThat(wrong.err).contains("wrong passphrase").hasLineCount(1);

        Run fernetAad = meshctl(Map.of("MESH_SECRET", FernetCodec.generateKey()), v, "seal", "-codec", "fernet", "-aad", "k");
        assertThat(fernetAad.status).isEqualTo(1);
        assertThat(fernetAad.err).contains("cannot bind associated data").hasLineCount(1);

        Run garbage = meshctl(ENV, "%%%".getBytes(UTF_8), "open");
        assertThat(garbage.status).isEqualTo(1);
        assertThat(garbage.err).contains("base64").hasLineCount(1);
        assertThat(meshctl(ENV, v, "open", "-salt", "AAAA").err).contains("seal with the default codec only");
    }

    @Test
    void fernetLegacyTokensAreTheOriginalsFormat() {
        Run sealed = meshctl(Map.of("VPN_ENCRYPTION_KEY", "correct horse battery staple"), "v".getBytes(UTF_8),
                "seal", "-codec", "fernet-legacy", "-aad", "ignored/because/unbound");
        assertThat(sealed.status).as(sealed.err).isZero();
        FernetCodec original = FernetCodec.builder().current("p5FpzvkoBKdU3n_zKnuck95p-841XAni5HCLsXQGpcI=").build();
        assertThat(original.open(sealed.text().strip().getBytes(UTF_8), null)).containsExactly('v');
    }

    @Test
    void thePassphraseMayComeFromAFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path f = dir.resolve("passphrase");
        java.nio.file.Files.writeString(f, "network secret\n", UTF_8);
        java.nio.file.Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        byte[] value = "sealed through a file".getBytes(UTF_8);
        Run sealed = meshctl(Map.of("MESH_SECRET_FILE", f.toString()), value, "seal", "-aad", "k");
        assertThat(sealed.status).as(sealed.err).isZero();
        // The file's trailing newline is not part of the passphrase: the variable opens it.
        Run opened = meshctl(ENV, sealed.out, "open", "-aad", "k");
        assertThat(opened.status).as(opened.err).isZero();
        assertThat(opened.out).isEqualTo(value);
    }

    @Test
    void generatePrintsANewNetworkKeyANodeTakesAsItsSecret() {
        Run a = meshctl(Map.of(), new byte[0], "generate");
        Run b = meshctl(Map.of(), new byte[0], "generate");
        assertThat(a.status).as(a.err).isZero();
        assertThat(a.text()).matches("mjs1\\.[A-Za-z0-9_-]{43}\n");
        assertThat(b.text()).isNotEqualTo(a.text());
        assertThat(new dev.meshjoin.core.signing.NetworkSecretCredentials(a.text().strip().toCharArray()).isNetworkKey())
                .isTrue();
        Run flagged = meshctl(Map.of(), new byte[0], "generate", "-codec", "fernet");
        assertThat(flagged.status).isEqualTo(2);
        assertThat(flagged.err).contains("-codec applies to seal and open only");
        assertThat(flagged.out).isEmpty();
    }
}
