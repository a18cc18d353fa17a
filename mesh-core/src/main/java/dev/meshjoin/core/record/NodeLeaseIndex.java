package dev.meshjoin.core.record;

import java.util.Objects;

/**
 * Which address a node holds, at {@code mesh/<network>/ip-node/<node>}; makes allocation
 * idempotent without listing every lease.
 */
public record NodeLeaseIndex(int schema, String node, String keyId, String address) implements Versioned {
    public NodeLeaseIndex {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(address, "address");
    }
}
