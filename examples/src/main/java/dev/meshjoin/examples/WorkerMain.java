package dev.meshjoin.examples;

import dev.meshjoin.NebulaMesh;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.secret.SecretSource;
import dev.meshjoin.api.secret.SecretValue;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.core.store.BootstrapStores;
import dev.meshjoin.nebula.overlay.NebulaOverlayDriver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A worker that embeds a mesh join, configured by environment variables in the spirit of the
 * original worker agent:
 *
 * <pre>
 * VPN_ENABLED=true            join the mesh at all (false: skip it and use the other transport)
 * WORKER_ID=worker-7          the node name
 * MESH_SECRET=…               the network secret (VPN_ENCRYPTION_KEY is read if it is unset); each
 *                             secret may come from a file instead: MESH_SECRET_FILE=/run/secrets/…
 * MESH_CA_PASSPHRASE=…        seals the CA key; needed where MESH_PUBLIC_ENDPOINT is set
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
        Map<String, String> env = System.getenv();
        if (!Boolean.parseBoolean(env.getOrDefault("VPN_ENABLED", "true"))) {
            System.out.println("VPN_ENABLED=false: not joining the mesh; using the fallback transport");
            return;
        }
        // Secrets as UTF-8 bytes whatever the locale, each also from a file (NAME_FILE).
        SecretSource secrets = SecretSource.process();
        Optional<SecretValue> secret = secrets.read("MESH_SECRET").or(() -> secrets.read("VPN_ENCRYPTION_KEY"));
        if (secret.isEmpty() || secret.get().isEmpty()) {
            System.err.println("set MESH_SECRET (or VPN_ENCRYPTION_KEY, or MESH_SECRET_FILE) to the network secret");
            System.exit(1);
        }
        String network = env.getOrDefault("MESH_NETWORK", "mesh");
        char[] caPassphrase = secrets.read("MESH_CA_PASSPHRASE").filter(v -> !v.isEmpty()).map(SecretValue::chars)
                .orElse(null);
        String publicEndpoint = env.get("MESH_PUBLIC_ENDPOINT");

        BootstrapStore store = BootstrapStores.open(env.getOrDefault("MESH_STORE", "file:/var/lib/meshjoin/store"));
        MeshNode node = NebulaMesh.builder(store, network, secret.get().chars(), caPassphrase, NebulaOverlayDriver.builder())
                .nodeName(env.getOrDefault("WORKER_ID", "worker"))
                .groups(List.of("workers"))
                .publicEndpoint(publicEndpoint == null ? null : Endpoint.parse(publicEndpoint))
                .stateDirectory(Path.of(env.getOrDefault("MESH_STATE_DIR", "/var/lib/meshjoin/worker")))
                .listener((before, now) -> System.out.println("mesh: " + now.state() + " " + now.detail()))
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            store.close();
        }));

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
