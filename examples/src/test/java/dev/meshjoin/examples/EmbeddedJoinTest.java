package dev.meshjoin.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.secret.SecretCodec;
import dev.meshjoin.api.secret.SecretCodecException;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.join.InProcessJoinNetwork;
import dev.meshjoin.testkit.join.SharedSecretAdmission;
import dev.meshjoin.testkit.overlay.InMemoryOverlayDriver;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedJoinTest {

    @TempDir
    Path dir;

    @Test
    void theReadmeSampleFoundsANetworkAndReportsReady() {
        InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable();
        InProcessJoinNetwork wire = new InProcessJoinNetwork();
        SharedSecretAdmission admission = new SharedSecretAdmission("sample-secret", List.of());
        InMemoryOverlayDriver overlay = new InMemoryOverlayDriver();
        try (MeshNode node = EmbeddedJoin.joinMesh(store, new TestDoubleCertificateAuthorityProvider(), overlay,
                salt -> new ReversibleTestCodec(), wire, wire, admission, admission, dir)) {
            assertThat(node).isNotNull();
            assertThat(node.status().state()).isEqualTo(NodeState.READY);
            assertThat(node.status().founder()).isTrue();
            assertThat(overlay.current()).isPresent();
        }
        assertThat(overlay.current()).as("close() stops the overlay").isEmpty();
    }

    @Test
    void theReadmeSampleFallsBackWhenTheOverlayCannotStart() {
        InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable();
        InProcessJoinNetwork wire = new InProcessJoinNetwork();
        SharedSecretAdmission admission = new SharedSecretAdmission("sample-secret", List.of());
        InMemoryOverlayDriver overlay = new InMemoryOverlayDriver().failStartWith("nebula: tun device unavailable");
        MeshNode node = EmbeddedJoin.joinMesh(store, new TestDoubleCertificateAuthorityProvider(), overlay,
                salt -> new ReversibleTestCodec(), wire, wire, admission, admission, dir);
        assertThat(node).isNull();
    }

    @Test
    void theReadmeShowsExactlyTheSampleThatCompiles() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("mvnw"))) {
            root = root.getParent();
        }
        String source = Files.readString(root.resolve("examples/src/main/java/dev/meshjoin/examples/EmbeddedJoin.java"));
        String sample = source.substring(source.indexOf("// README:begin") + "// README:begin".length(),
                source.indexOf("        // README:end"));
        String dedented = Arrays.stream(sample.strip().split("\n"))
                .map(l -> l.startsWith("        ") ? l.substring(8) : l).collect(Collectors.joining("\n"));
        assertThat(Files.readString(root.resolve("README.md"))).contains(dedented);
    }

    /** Test double: a codec that only has to round-trip inside this test. */
    private static final class ReversibleTestCodec implements SecretCodec {
        @Override
        public String name() {
            return "reversible-test";
        }

        @Override
        public String currentKeyId() {
            return "t";
        }

        @Override
        public byte[] seal(byte[] plaintext, byte[] aad) {
            byte[] out = plaintext.clone();
            for (int i = 0; i < out.length; i++) {
                out[i] ^= 0x5a;
            }
            return out;
        }

        @Override
        public byte[] open(byte[] sealed, byte[] aad) {
            if (sealed.length == 0) {
                throw new SecretCodecException("empty");
            }
            return seal(sealed, aad);
        }

        @Override
        public String keyIdOf(byte[] sealed) {
            return new String("t".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        }
    }
}
