package dev.meshjoin.core.record;

import java.time.Instant;
import java.util.Objects;

/**
 * An address lease, at {@code mesh/<network>/ip/<address>}.
 *
 * @param schema {@link Versioned#SCHEMA}
 * @param address the address
 * @param node the holder
 * @param keyId fingerprint of the holder's public key
 * @param allocatedAt when allocated
 * @param holdUntil not to be reused before this instant (its certificate's expiry)
 * @param releasedAt when released, or null while in use
 * @param pending true between the lease write and the node-index write; a pending lease carries a
 *     time-to-live so an allocation interrupted by a crash frees itself
 */
public record LeaseRecord(int schema, String address, String node, String keyId, Instant allocatedAt,
                          Instant holdUntil, Instant releasedAt, boolean pending) implements Versioned {
    public LeaseRecord {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(allocatedAt, "allocatedAt");
        Objects.requireNonNull(holdUntil, "holdUntil");
    }
}
