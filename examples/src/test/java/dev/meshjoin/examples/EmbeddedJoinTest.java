package dev.meshjoin.examples;

import dev.meshjoin.core.secret.SecretCodecs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider;
import dev.meshjoin.testkit.join.InProcessJoinNetwork;
import dev.meshjoin.testkit.join.SharedSecretAdmission;
import dev.meshjoin.testkit.overlay.InMemoryOverlayDriver;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import java.io.IOException;
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
        try (MeshNode node = EmbeddedJoin.joinMesh(store, new NebulaCertificateAuthorityProvider(), overlay,
                SecretCodecs.passphrase("sample-ca-passphrase".toCharArray()), wire, wire, admission, admission, dir)) {
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
        MeshNode node = EmbeddedJoin.joinMesh(store, new NebulaCertificateAuthorityProvider(), overlay,
                SecretCodecs.passphrase("sample-ca-passphrase".toCharArray()), wire, wire, admission, admission, dir);
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
}
