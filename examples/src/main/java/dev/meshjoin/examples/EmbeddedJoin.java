package dev.meshjoin.examples;

import dev.meshjoin.MeshJoin;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import java.nio.file.Path;

/**
 * How a worker embeds a mesh join: the code shown in the README, kept here so that it compiles;
 * the fresh-project test ({@code FreshProjectIT} in the meshjoin module) builds it against the
 * published artifacts and runs it with real nebula.
 */
public final class EmbeddedJoin {
    private EmbeddedJoin() {
    }

    /** Joins (or founds) the network and returns the node, or null when the worker should fall back. */
    public static MeshNode joinMesh(char[] secret) {
        // README:begin
        MeshNode node = MeshJoin.builder()
                .nodeName("worker-7")
                .store("file:/var/lib/meshjoin/store")        // a URI, or a BootstrapStore
                .networkSecret(secret)                        // or .enrollmentToken(token)
                .stateDirectory(Path.of("/var/lib/meshjoin/worker-7"))
                .build();                                     // + .publicEndpoint(..).caPassphrase(..) to found or serve
        NodeStatus status = node.join();
        if (status.state() != NodeState.READY) {
            // FAILED or FALLBACK: the cause says why; use the worker's other transport.
            System.err.println("mesh unavailable: " + status.detail());
            node.close();
            return null;
        }
        System.out.println("on the mesh at " + status.address().orElseThrow());
        // README:end
        return node;
    }
}
