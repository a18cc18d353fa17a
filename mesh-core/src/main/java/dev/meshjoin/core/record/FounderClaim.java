package dev.meshjoin.core.record;

import java.time.Instant;
import java.util.Objects;

/**
 * The founder election claim: who is founding the network and until when the claim holds. Stored
 * with a time-to-live equal to the lease, so a founder that dies mid-bootstrap stops blocking the
 * network when the lease runs out.
 *
 * @param schema {@link Versioned#SCHEMA}
 * @param node the claiming node's name
 * @param token a random value unique to this attempt, so a node can recognise its own claim after
 *     an ambiguous write
 * @param claimedAt when the attempt began
 * @param leaseUntil when the claim lapses unless renewed
 */
public record FounderClaim(int schema, String node, String token, Instant claimedAt, Instant leaseUntil)
        implements Versioned {
    public FounderClaim {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(claimedAt, "claimedAt");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
    }
}
