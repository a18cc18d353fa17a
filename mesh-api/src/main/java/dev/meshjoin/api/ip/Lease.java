package dev.meshjoin.api.ip;

import dev.meshjoin.api.net.Ipv4Address;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An overlay address held for a node.
 *
 * @param address the address
 * @param node the node name holding it
 * @param keyId identifies the node's key (a fingerprint of its public key) so a re-join with the
 *     same name and key gets the same address back, and a different key does not
 * @param allocatedAt when it was first allocated
 * @param holdUntil no other node may get the address before this instant, even after release,
 *     because a certificate naming it may still be valid until then
 * @param releasedAt when the node released it, empty while in use
 */
public record Lease(Ipv4Address address, String node, String keyId, Instant allocatedAt, Instant holdUntil,
                    Optional<Instant> releasedAt) {
    public Lease {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(allocatedAt, "allocatedAt");
        Objects.requireNonNull(holdUntil, "holdUntil");
        Objects.requireNonNull(releasedAt, "releasedAt");
    }

    /** True while the address may not go to anyone else. */
    public boolean heldAt(Instant now) {
        return releasedAt.isEmpty() || now.isBefore(holdUntil);
    }
}
