package dev.meshjoin.core.machine;

import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.retry.RetryPolicy;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.election.FounderElection;
import dev.meshjoin.core.record.NetworkRecords;
import dev.meshjoin.core.record.NetworkView;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * ELECTING: no network yet. A node with a public endpoint competes for the founder claim; any node
 * waits, backing off, until a network record appears or the join's deadline comes.
 */
final class Elect implements Step {
    /** How patiently to look for the founder's record: 20 ms doubling to 1 s, until the deadline. */
    static final RetryPolicy FOUNDER_WAIT = RetryPolicy.exponential(Duration.ofMillis(20), Duration.ofSeconds(1),
            Integer.MAX_VALUE);

    private final JoinRun run;
    private final FounderElection election;
    /** On an eventual store: a rival's live claim was seen; no claim is tried before it expires. */
    private Instant claimAgainAt = Instant.MIN;

    Elect(JoinRun run) {
        this.run = run;
        NodeConfig c = run.config;
        this.election = new FounderElection(c.store, c.keys, c.nodeName, c.founderLease, c.clock);
    }

    /** Not found yet; retried by {@link #FOUNDER_WAIT}. */
    private static final class NoNetworkYet extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoNetworkYet() {
            super(null, null, false, false);
        }
    }

    @Override
    public NodeState state() {
        return NodeState.ELECTING;
    }

    @Override
    public String detail() {
        return run.config.publicEndpoint == null
                ? "no network yet; this node has no public endpoint, so it waits for a founder"
                : "no network yet; competing to found it";
    }

    @Override
    public Step run() throws InterruptedException {
        boolean[] first = {true};
        try {
            return waitPolicy().call(() -> attempt(first), NoNetworkYet.class::isInstance);
        } catch (NoNetworkYet e) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for a founder");
            }
            run.checkCancelled();
            throw new MeshException("no network record appeared in " + run.config.store.name() + " within "
                    + run.config.joinTimeout + holder() + ". Start a node with a public endpoint to found the network,"
                    + " or check the store");
        }
    }

    /**
     * On an eventual store the founder's record cannot be final before twice the bound, so polling
     * faster than a quarter of the bound only spends requests (Cloudflare allows an account 1,200 in
     * 5 minutes): about bound/4 there, {@link #FOUNDER_WAIT} on a linearizable store.
     */
    private RetryPolicy waitPolicy() {
        Duration bound = run.config.store.consistency().propagationBound();
        if (run.config.store.consistency().isLinearizable() || bound.isZero()) {
            return FOUNDER_WAIT;
        }
        // Delays are drawn from [d/2, d]: d = bound/3 makes them bound/4 on average.
        Duration third = bound.dividedBy(3);
        return RetryPolicy.exponential(third, third, Integer.MAX_VALUE);
    }

    private Step attempt(boolean[] first) {
        run.checkCancelled();
        if (!first[0]) {
            Optional<NetworkView> network = NetworkRecords.read(run.config.store, run.config.keys);
            if (network.isPresent()) {
                Step next;
                try {
                    next = Discover.route(run, network.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new JoinCancelledException("interrupted while waiting for the store to settle");
                }
                if (next != null) {
                    return next;
                }
                throw new NoNetworkYet();
            }
        }
        first[0] = false;
        if (run.config.publicEndpoint != null && !run.config.clock.instant().isBefore(claimAgainAt)) {
            Optional<FounderElection.Claim> claim = election.tryClaim();
            if (claim.isPresent()) {
                return new Found(run, election, claim.get());
            }
            if (!run.config.store.consistency().isLinearizable()) {
                // A rival holds the claim, visible here or not yet: it lives at most one lease, so
                // poll only the network record until then (a founder that died leaves its claim to expire).
                claimAgainAt = run.config.clock.instant().plus(election.lease());
            }
        }
        throw new NoNetworkYet();
    }

    private String holder() {
        try {
            return election.current().map(c -> "; the founder claim is held by " + c.node() + " until " + c.leaseUntil())
                    .orElse("");
        } catch (RuntimeException e) {
            return "";
        }
    }
}
