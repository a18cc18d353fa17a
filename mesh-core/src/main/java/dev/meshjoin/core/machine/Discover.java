package dev.meshjoin.core.machine;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.retry.Deadline;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.record.NetworkRecords;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.core.state.LocalState;
import dev.meshjoin.core.trust.TamperedStoreException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** DISCOVERING: reads the network record and this node's state directory, and decides what to be. */
final class Discover implements Step {
    private static final Logger LOG = LoggerFactory.getLogger(Discover.class);
    static final Duration EVENTUAL_MARGIN = Duration.ofSeconds(1);

    private final JoinRun run;

    Discover(JoinRun run) {
        this.run = run;
    }

    @Override
    public NodeState state() {
        return NodeState.DISCOVERING;
    }

    @Override
    public String detail() {
        return "reading " + run.config.keys.network() + " from " + run.config.store.name();
    }

    @Override
    public Step run() throws InterruptedException {
        run.config.local.prepare();
        // Before anything is written: an overlay that cannot run here, or a public endpoint that
        // cannot be bound here, would otherwise be found only after a record or a lease exists. Given
        // the overlay's directory, the driver first stops a daemon left by a killed run of this node.
        // It needs nothing from the store, so it runs while the record is read and checked (on a
        // cold start that check waits for the secret's PBKDF2).
        CompletableFuture<Void> preflight = preflight(run);
        Optional<NetworkView> first;
        try {
            first = read(run.config);
            if (first.isPresent() && run.config.local.identity().isEmpty()) {
                // A new node joins: its credential's slow derivation runs while the overlay is checked.
                run.config.credentials.deriveAhead(first.get().joinNetwork());
            }
        } catch (RuntimeException | Error e) {
            // The store's answer is what the user must hear; the overlay's, if it failed too, goes with it.
            try {
                await(preflight);
            } catch (RuntimeException | Error also) {
                e.addSuppressed(also);
            }
            throw e;
        }
        await(preflight);
        while (true) {
            Optional<NetworkView> network = first != null ? first : read(run.config);
            first = null;
            if (network.isEmpty()) {
                return new Elect(run);
            }
            Step next = route(run, network.get());
            if (next != null) {
                return next;
            }
        }
    }

    private static CompletableFuture<Void> preflight(JoinRun run) {
        NodeConfig c = run.config;
        Deadline deadline = Deadline.current();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (Deadline.Scope s = deadline.enter()) {
                c.overlay.preflight(c.publicEndpoint, StartOverlay.overlayDirectory(c));
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
            // Then, on the same thread, the key pair a new node needs next (cheap, but cold in a new JVM).
            run.makeHostKeysAhead();
        }, "meshjoin-preflight-" + c.nodeName);
        t.setDaemon(true);
        t.start();
        return done;
    }

    /** Waits for the preflight, its failure thrown as it was thrown. */
    private static void await(CompletableFuture<Void> preflight) throws InterruptedException {
        try {
            preflight.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new MeshException("the overlay's preflight check failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            preflight.cancel(true);
            throw e;
        }
    }

    /**
     * The network record, checked against the CA this node trusts. A founder or lighthouse that
     * finds a record it cannot trust keeps its role and changes nothing: it is not demoted, and its
     * overlay never sees the other CA.
     */
    private static Optional<NetworkView> read(NodeConfig c) {
        try {
            return NetworkRecords.read(c.store, c.keys);
        } catch (TamperedStoreException e) {
            Optional<LocalState.Identity> me = c.local.identity();
            if (me.isPresent() && me.get().role().servesJoins()) {
                throw new TamperedStoreException(e.key(), e.getMessage() + ". This node is the network's "
                        + me.get().role().name().toLowerCase(java.util.Locale.ROOT) + " and stays so: it changes"
                        + " nothing in the store and its overlay keeps trusting only CA " + me.get().caFingerprint()
                        + " until the network record is restored");
            }
            throw e;
        }
    }

    /**
     * The step for a network that exists: recover a lighthouse role this node holds, become a
     * lighthouse when asked to, or join. Null when the record is too fresh on an eventual store to
     * be final: the caller waited and reads it again.
     */
    static Step route(JoinRun run, NetworkView network) throws InterruptedException {
        NodeConfig c = run.config;
        if (!c.store.consistency().isLinearizable() && !awaitStable(run, network)) {
            return null;
        }
        run.network = network;
        checkCompatible(c, network);
        Optional<LocalState.Identity> me = c.local.identity();
        boolean listed = network.isLighthouse(c.nodeName);
        // A lighthouse admitted under a CA the bundle still trusts takes its role back (after a CA
        // rotation its saved CA is the old one, still trusted until it is retired).
        if (me.isPresent() && me.get().role().servesJoins() && listed && trusts(c, network, me.get().caFingerprint())) {
            return new Recover(run, network);
        }
        if (c.lighthouse && !listed) {
            return new Promote(run, network);
        }
        return Resume.ifUsable(run, network).orElseGet(() -> new Join(run, network));
    }

    private static boolean trusts(NodeConfig c, NetworkView network, String caFingerprint) {
        return network.caFingerprint().equals(caFingerprint) || c.caProvider.verifier(network.caBundle()).trusted()
                .stream().anyMatch(ca -> ca.fingerprint().equals(caFingerprint));
    }

    private static void checkCompatible(NodeConfig c, NetworkView network) {
        if (!network.caType().equals(c.caProvider.type())) {
            throw new ConfigurationException("network " + network.name() + " uses certificates of type "
                    + network.caType() + " but this node was built with " + c.caProvider.type()
                    + "; configure the matching provider");
        }
        if (!network.cidr().equals(c.cidr)) {
            LOG.info("network {} uses {} (this node was configured with {}); following the record", network.name(),
                    network.cidr(), c.cidr);
        }
    }

    /**
     * On an eventual store, a record is final only when no competing founder could still write one:
     * twice the propagation bound after it was founded (see docs/store-schema.md).
     */
    private static boolean awaitStable(JoinRun run, NetworkView network) throws InterruptedException {
        NodeConfig c = run.config;
        Instant stableAt = network.record().foundedAt()
                .plus(c.store.consistency().propagationBound().multipliedBy(2)).plus(EVENTUAL_MARGIN);
        Duration wait = Duration.between(c.clock.instant(), stableAt);
        if (wait.isNegative() || wait.isZero()) {
            return true;
        }
        if (!Deadline.current().allows(wait)) {
            throw new MeshException("network " + network.name() + " was founded moments ago and " + c.store.name()
                    + " is eventually consistent; it is final at " + stableAt + ", after this join's timeout. Raise joinTimeout");
        }
        run.say("network founded at " + network.record().foundedAt() + "; waiting until " + stableAt
                + " for the eventually consistent store to settle");
        Thread.sleep(wait.toMillis());
        return false;
    }
}
