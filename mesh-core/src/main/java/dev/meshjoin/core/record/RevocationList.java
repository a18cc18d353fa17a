package dev.meshjoin.core.record;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Every revoked node of a network, at {@code mesh/<network>/revocations}: one key, so that a
 * lighthouse learns of every revocation with a single read. Stored signed by the CA
 * ({@link dev.meshjoin.core.trust.TrustedStore}): a list a store writer made is refused.
 *
 * @param schema {@link Versioned#SCHEMA}
 * @param network the network name
 * @param revoked one entry per revoked node
 */
public record RevocationList(int schema, String network, List<Revoked> revoked) implements Versioned {
    public RevocationList {
        Objects.requireNonNull(network, "network");
        revoked = List.copyOf(revoked);
    }

    /**
     * One revoked node: everything that identifies it to Nebula and to the signing service.
     *
     * @param node its name; joins and renewals under it are refused
     * @param keyIds SHA-256 (hex) of its public keys; joins with them are refused under any name
     * @param fingerprints its certificates still valid when revoked; every node blocks them
     * @param revokedAt when it was revoked
     * @param holdUntil when its last certificate expires: its address stays held until then
     */
    public record Revoked(String node, List<String> keyIds, List<String> fingerprints, Instant revokedAt,
                          Instant holdUntil) {
        public Revoked {
            Objects.requireNonNull(node, "node");
            keyIds = List.copyOf(keyIds);
            fingerprints = List.copyOf(fingerprints);
            Objects.requireNonNull(revokedAt, "revokedAt");
            Objects.requireNonNull(holdUntil, "holdUntil");
        }
    }
}
