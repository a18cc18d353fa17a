package dev.meshjoin.cli;

import dev.meshjoin.core.secret.SecretCodecs;
import dev.meshjoin.NebulaMesh;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.secret.SecretValue;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.api.join.JoinCredentials;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.core.store.BootstrapStores;
import dev.meshjoin.nebula.overlay.NebulaOverlayDriver;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code meshctl up}: runs one node in the foreground, for operators who do not write Java. It
 * founds or joins the network, prints each state change on its own line and {@code READY
 * <overlay-address>} once a peer answers over the overlay, and on SIGTERM leaves cleanly and
 * exits 0 — or, when the node never became READY, cancels the join and exits 1 within a second or two.
 *
 * <pre>
 * MESH_SECRET=… MESH_CA_PASSPHRASE=… meshctl up --name worker-1 --store file:/var/lib/meshjoin/store \
 *     --state-dir /var/lib/meshjoin/worker-1 --public-endpoint 203.0.113.7:4242
 * </pre>
 *
 * <p>The network secret comes from {@code MESH_SECRET}; a node given an enrollment token
 * ({@code MESH_TOKEN} or {@code --token}) joins with it and needs no network secret. A node with a public endpoint may found the
 * network and then holds the CA, sealed in the store under {@code MESH_CA_PASSPHRASE}, which must be
 * set, at least 16 characters and differ from the network secret; a node without one only joins and
 * needs no CA passphrase. Each may come from a file instead ({@code MESH_SECRET_FILE},
 * {@code MESH_CA_PASSPHRASE_FILE}: Docker secrets, systemd credentials).
 */
public final class UpCommand implements Command {

    @Override
    public String name() {
        return "up";
    }

    @Override
    public String summary() {
        return "run one node in the foreground: found or join the mesh, print READY <address>";
    }

    @Override
    public int run(Invocation inv) throws Exception {
        Flags flags = new Flags("up")
                .string("name", "this node's name (a DNS label)")
                .string("store", "the bootstrap store URI, such as file:/var/lib/meshjoin/store")
                .string("state-dir", "where this node keeps its key and certificate")
                .string("public-endpoint", "HOST:PORT where peers reach this node's Nebula port; the signing service listens on the same host")
                .string("signing-port", "the signing service's port on a lighthouse", "8444")
                .string("network", "the network name", "mesh")
                .string("cidr", "the overlay network a founder creates", "10.42.0.0/16")
                .string("groups", "comma-separated groups this node asks for", "")
                .string("nebula", "path of the nebula binary (default: NEBULA_BIN, then PATH)")
                .string("overlay-timeout", "how long to wait for a peer to answer over the overlay", "30s")
                .string("join-timeout", "how long the whole join may take", "2m")
                .string("cert-validity", "lifetime of the certificates a founder or lighthouse issues (at least 1m);"
                        + " nodes renew at two thirds of it", "720h")
                .string("token", "join with this enrollment token instead of the network secret (better: MESH_TOKEN,"
                        + " which other users cannot read in the process list)");
        Flags.Parsed p = LighthouseFlags.declare(flags).parse(inv.args());
        java.time.Duration certValidity = dev.meshjoin.cli.nebula.GoDuration.parse("cert-validity", p.get("cert-validity"));
        if (certValidity.compareTo(java.time.Duration.ofMinutes(1)) < 0) {
            throw new CliException("up: --cert-validity " + p.get("cert-validity") + " is below 1m; renewal at two"
                    + " thirds of a certificate's lifetime needs at least a minute");
        }
        List<String> required = p.requireAll("name", "store", "state-dir");
        Optional<SecretValue> secretValue = inv.secrets().read("MESH_SECRET").filter(v -> !v.isEmpty());
        Optional<SecretValue> tokenValue = inv.secrets().read("MESH_TOKEN").filter(v -> !v.isEmpty());
        secretValue.ifPresent(v -> v.warnings().forEach(w -> inv.err().println("up: warning: " + w)));
        tokenValue.ifPresent(v -> v.warnings().forEach(w -> inv.err().println("up: warning: " + w)));
        char[] secret = secretValue.map(SecretValue::chars).orElse(null);
        JoinCredentials credentials = UpCredentials.of(p.get("token"), tokenValue, secret);
        Endpoint publicEndpoint = p.get("public-endpoint") == null ? null : Endpoint.parse(p.get("public-endpoint"));
        dev.meshjoin.core.lighthouse.LighthouseWatch.Settings watch = LighthouseFlags.check(p, publicEndpoint);
        char[] caPassphrase = caPassphrase(inv, publicEndpoint, secretValue.orElse(null));
        NebulaOverlayDriver.Builder overlay = NebulaOverlayDriver.builder();
        if (p.get("nebula") != null) {
            overlay.binary(inv.path(p.get("nebula")));
        }
        Duration joinTimeout = dev.meshjoin.cli.nebula.GoDuration.parse("join-timeout", p.get("join-timeout"));
        BootstrapStore store = BootstrapStores.open(required.get(1));
        PrintStream out = inv.out();
        UpProgress progress = new UpProgress(out, dev.meshjoin.cli.log.CliLogging.json(), joinTimeout);
        AtomicBoolean everReady = new AtomicBoolean();
        StatusWriter statusFile = new StatusWriter(inv.path(required.get(2)), store.name());
        MeshNode node = LighthouseFlags.apply(p, watch, NebulaMesh.builder(store, p.get("network"), credentials,
                        secret, caPassphrase, overlay))
                .nodeName(required.get(0))
                .cidr(Ipv4Cidr.parse(p.get("cidr")))
                .groups(csv(p.get("groups")))
                .publicEndpoint(publicEndpoint)
                .signingPort(Integer.parseInt(p.get("signing-port")))
                .stateDirectory(inv.path(required.get(2)))
                .overlayTimeout(dev.meshjoin.cli.nebula.GoDuration.parse("overlay-timeout", p.get("overlay-timeout")))
                .joinTimeout(joinTimeout)
                .certificateValidity(certValidity)
                .listener(progress)
                .listener(statusFile)
                .listener((before, now) -> {
                    if (now.state() == NodeState.READY) {
                        everReady.set(true);
                    }
                })
                .build();

        statusFile.watch(node);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        // SIGTERM runs the shutdown hooks: close the node there (which cancels a join in progress
        // within a second), then end with status 0 when the node had been READY (a requested stop is
        // not a failure) and 1 when it never was, since then the join did not succeed.
        Thread hook = new Thread(() -> {
            stopping.set(true);
            boolean wasReady = everReady.get();
            NodeState at = node.status().state();
            node.close();
            store.close();
            if (!wasReady) {
                inv.err().println("up: stopped while " + at + ", before the node became READY");
                inv.err().flush();
            }
            out.flush();
            stopped.countDown();
            Runtime.getRuntime().halt(wasReady ? 0 : 1);
        }, "meshctl-up-stop");
        Runtime.getRuntime().addShutdownHook(hook);

        progress.started();
        NodeStatus status = node.join();
        if (status.state() == NodeState.READY) {
            progress.joined(status);
        } else if (!stopping.get()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shutdownInProgress) {
                stopped.await(); // the hook has begun and ends the process with its status
            }
            node.close();
            store.close();
            throw new CliException("up: " + status.state() + ": " + Meshctl.oneLine(status.detail()),
                    status.state() == NodeState.FALLBACK ? ExitStatus.FALLBACK : ExitStatus.ERROR);
        }
        stopped.await();
        return ExitStatus.OK;
    }

    /** The CA passphrase, or null for a node that only joins. */
    private static char[] caPassphrase(Invocation inv, Endpoint publicEndpoint, SecretValue secret) {
        Optional<SecretValue> read = inv.secrets().read("MESH_CA_PASSPHRASE");
        if (read.isEmpty() || read.get().isEmpty()) {
            if (publicEndpoint != null) {
                throw new CliException("up: a node with --public-endpoint may found the network and hold its CA;"
                        + " set the CA passphrase in MESH_CA_PASSPHRASE or MESH_CA_PASSPHRASE_FILE (distinct from"
                        + " MESH_SECRET)");
            }
            return null;
        }
        SecretValue passphrase = read.get();
        passphrase.warnings().forEach(w -> inv.err().println("up: warning: " + w));
        if (secret != null && passphrase.sameAs(secret)) {
            throw new CliException("up: MESH_CA_PASSPHRASE must differ from MESH_SECRET: every member knows the"
                    + " network secret, only lighthouses may know the CA passphrase");
        }
        if (passphrase.length() < SecretCodecs.MIN_PASSPHRASE_LENGTH) {
            throw new CliException("up: " + passphrase.origin() + " is " + passphrase.length() + " characters; the CA"
                    + " passphrase must be at least " + SecretCodecs.MIN_PASSPHRASE_LENGTH + " (a random one:"
                    + " openssl rand -base64 32 > ca-passphrase; chmod 600 ca-passphrase;"
                    + " MESH_CA_PASSPHRASE_FILE=ca-passphrase)");
        }
        return passphrase.chars();
    }

    private static List<String> csv(String value) {
        return value == null || value.isBlank() ? List.of()
                : Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

}
