package dev.meshjoin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.nebula.overlay.NebulaOverlayDriver;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a node checks before the election writes anything: the overlay can run here and the public
 * endpoint can be bound here. Each refusal leaves the store empty. No nebula is started.
 */
class PreflightTest {
    @TempDir
    Path dir;
    private final InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable();

    private MeshNode founder(Endpoint publicEndpoint, NebulaOverlayDriver.Builder overlay) {
        return NebulaMesh.builder(store, "pre", "preflight-network-secret".toCharArray(),
                        "preflight-ca-passphrase-0123".toCharArray(), overlay)
                .nodeName("first").publicEndpoint(publicEndpoint).stateDirectory(dir.resolve("first")).build();
    }

    private static boolean nebulaOnPath() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, "nebula"))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aPublicEndpointNotOnThisHostIsRefusedBeforeAnythingIsWritten() {
        assumeTrue(nebulaOnPath(), "skipped: needs the nebula binary on PATH (apt-get install nebula)");
        // 192.0.2.1 is TEST-NET-1: documentation only, never an address of a real host.
        try (MeshNode node = founder(Endpoint.parse("192.0.2.1:4242"), NebulaOverlayDriver.builder())) {
            NodeStatus s = node.join();

            assertThat(s.state()).isEqualTo(NodeState.FAILED);
            assertThat(s.detail()).contains("192.0.2.1").contains("not an address of this host");
            assertThat(store.list("")).as("nothing was written to the store").isEmpty();
        }
    }

    @Test
    void aPublicEndpointWhosePortIsTakenIsRefusedBeforeAnythingIsWritten() throws Exception {
        assumeTrue(nebulaOnPath(), "skipped: needs the nebula binary on PATH (apt-get install nebula)");
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             MeshNode node = founder(new Endpoint("127.0.0.1", taken.getLocalPort()), NebulaOverlayDriver.builder())) {
            NodeStatus s = node.join();

            assertThat(s.state()).isEqualTo(NodeState.FAILED);
            assertThat(s.detail()).contains("UDP port " + taken.getLocalPort()).contains("cannot be bound");
            assertThat(store.list("")).isEmpty();
        }
    }

    @Test
    void aMissingNebulaBinaryFallsBackBeforeAnythingIsWritten() {
        NebulaOverlayDriver.Builder overlay = NebulaOverlayDriver.builder().binary(dir.resolve("no-such-nebula"));
        try (MeshNode node = founder(new Endpoint("127.0.0.1", 4242), overlay)) {
            NodeStatus s = node.join();

            assertThat(s.state()).isEqualTo(NodeState.FALLBACK);
            assertThat(s.detail()).contains("no-such-nebula");
            assertThat(store.list("")).isEmpty();
        }
    }
}
