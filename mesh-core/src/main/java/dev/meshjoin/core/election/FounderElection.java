package dev.meshjoin.core.election;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.core.record.FounderClaim;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Elects the node that founds a network, as a lease: the claim is put-if-absent with a
 * time-to-live, renewed by compare-and-set while founding, and deleted when the network record is
 * written. A founder that dies mid-bootstrap stops blocking the network when its lease runs out.
 *
 * <p>On a linearizable store exactly one claimant wins. On an eventually consistent store two
 * claimants may both believe they won; the claim only avoids most wasted work there, and the
 * network record, confirmed after twice the propagation bound, decides (see {@code MeshNode}).
 *
 * <pre>{@code
 * FounderElection election = new FounderElection(store, keys, "node-1", Duration.ofSeconds(30), clock);
 * Optional<FounderElection.Claim> claim = election.tryClaim();
 * }</pre>
 */
public final class FounderElection {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BootstrapStore store;
    private final String claimKey;
    private final String node;
    private final Duration lease;
    private final Clock clock;

    /** A claim this node holds, with the store version that renewing or releasing it must name. */
    public record Claim(FounderClaim claim, long version) {
    }

    public FounderElection(BootstrapStore store, StoreKeys keys, String node, Duration lease, Clock clock) {
        this(store, keys.founderClaim(), node, lease, clock);
    }

    /**
     * The same lease election for another decision taken one node at a time (which node promotes
     * itself to lighthouse, say), at its own key.
     */
    public FounderElection(BootstrapStore store, String claimKey, String node, Duration lease, Clock clock) {
        this.store = store;
        this.claimKey = claimKey;
        this.node = node;
        // A store refuses time-to-live below its minimum (Cloudflare KV: 60 s); never ask for less.
        this.lease = lease.compareTo(store.minTtl()) < 0 ? store.minTtl() : lease;
        this.clock = clock;
    }

    /** The lease actually used, after the store's minimum time-to-live. */
    public Duration lease() {
        return lease;
    }

    /** The claim currently in the store, whoever holds it. */
    public Optional<FounderClaim> current() {
        return store.get(claimKey).map(e -> Json.read(e.value(), FounderClaim.class, e.key()));
    }

    /** Tries to take the claim; empty when someone else holds a live one. */
    public Optional<Claim> tryClaim() {
        byte[] tokenBytes = new byte[16];
        RANDOM.nextBytes(tokenBytes);
        String token = HexFormat.of().formatHex(tokenBytes);
        FounderClaim claim = new FounderClaim(Versioned.SCHEMA, node, token, clock.instant(), clock.instant().plus(lease));
        Optional<Entry> written = store.putIfAbsent(claimKey, Json.write(claim), lease);
        if (written.isPresent()) {
            return Optional.of(new Claim(claim, written.get().version()));
        }
        // A retried write may have landed before its error: recognise our own token. A claim left by
        // this same node's earlier attempt (a restart, a failed founding) is ours to take over.
        Optional<Entry> now = store.get(claimKey);
        if (now.isPresent()) {
            FounderClaim seen = Json.read(now.get().value(), FounderClaim.class, now.get().key());
            if (seen.token().equals(token)) {
                return Optional.of(new Claim(seen, now.get().version()));
            }
            if (seen.node().equals(node)) {
                return store.compareAndSet(claimKey, now.get().version(), Json.write(claim), lease)
                        .map(e -> new Claim(claim, e.version()));
            }
        }
        return Optional.empty();
    }

    /**
     * Confirms the claim is still ours and extends it; empty when it was lost. On an eventually
     * consistent store the claim is advisory (the network record decides) and a store need not show
     * a writer its own write within the propagation bound, so the claim is kept as it is.
     */
    public Optional<Claim> renew(Claim held) {
        if (!store.consistency().isLinearizable()) {
            return Optional.of(held);
        }
        FounderClaim renewed = new FounderClaim(Versioned.SCHEMA, node, held.claim().token(), held.claim().claimedAt(),
                clock.instant().plus(lease));
        return store.compareAndSet(claimKey, held.version(), Json.write(renewed), lease)
                .map(e -> new Claim(renewed, e.version()));
    }

    /** Whether the store still shows our claim (on an eventual store: as this node's view sees it). */
    public boolean stillHeld(Claim held) {
        return current().map(c -> c.token().equals(held.claim().token())).orElse(false);
    }

    /** Gives the claim up; a no-op when it is no longer ours. */
    public void release(Claim held) {
        store.get(claimKey).ifPresent(e -> {
            FounderClaim seen = Json.read(e.value(), FounderClaim.class, e.key());
            if (seen.token().equals(held.claim().token())) {
                store.delete(claimKey, e.version());
            }
        });
    }
}
