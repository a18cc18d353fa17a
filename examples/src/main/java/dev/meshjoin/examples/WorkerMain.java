package dev.meshjoin.examples;

import dev.meshjoin.MeshConfig;
import dev.meshjoin.MeshJoin;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import java.nio.file.Path;
import java.util.List;

/**
 * A worker that embeds a mesh join, configured by environment variables in the spirit of the
 * original worker agent, read by {@link MeshConfig} exactly as {@code meshctl up} reads them:
 *
 * <pre>
 * VPN_ENABLED=true            join the mesh at all (false: skip it and use the other transport)
 * MESH_NAME=worker-7          the node name (WORKER_ID is read if it is unset; default "worker")
 * MESH_SECRET=…               the network secret, or MESH_SECRET_FILE (VPN_ENCRYPTION_KEY if both are unset)
 * MESH_CA_PASSPHRASE=…        seals the CA key; needed where MESH_PUBLIC_ENDPOINT is set (or _FILE)
 * MESH_STORE=file:/var/lib/meshjoin/store   the bootstrap store URI (or cloudflare-kv:env, etcd://…)
 * MESH_STATE_DIR=/var/lib/meshjoin/worker-7
 * MESH_PUBLIC_ENDPOINT=203.0.113.7:4242     optional: where peers reach this worker's Nebula port
 * MESH_NETWORK=prod           optional, default "mesh"
 * </pre>
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (!Boolean.parseBoolean(System.getenv().getOrDefault("VPN_ENABLED", "true"))) {
            System.out.println("VPN_ENABLED=false: not joining the mesh; using the fallback transport");
            return;
        }
        MeshNode node;
        try {
            MeshConfig config = MeshConfig.fromEnvironment();
            config.warnings().forEach(w -> System.err.println("mesh: warning: " + w));
            node = MeshJoin.builder()
                    .nodeName("worker")
                    .store("file:/var/lib/meshjoin/store")
                    .stateDirectory(Path.of("/var/lib/meshjoin/worker"))
                    .groups(List.of("workers"))
                    .config(config) // what the environment sets wins over the defaults above
                    .listener((before, now) -> System.out.println("mesh: " + now.state() + " " + now.detail()))
                    .build();
        } catch (MeshException e) {
            System.err.println("mesh: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(node::close));

        NodeStatus status = node.join();
        if (status.state() == NodeState.READY) {
            System.out.println("worker on the mesh at " + status.address().orElseThrow()
                    + "; peers reach it there, and its capabilities carry this address");
        } else {
            System.out.println("mesh " + status.state() + ": " + status.detail() + " — using the fallback transport");
        }
        // The worker's own work would run here; this example just stays up until stopped.
        Thread.currentThread().join();
    }
}
