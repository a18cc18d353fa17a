package dev.meshjoin.core.record;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A member of the network, at {@code mesh/<network>/members/<node>}.
 *
 * @param schema {@link Versioned#SCHEMA}
 * @param node name
 * @param overlayAddress its overlay address
 * @param groups groups in its certificate
 * @param role lighthouse or member (a founder is stored as lighthouse)
 * @param publicEndpoint where peers reach its overlay daemon, or null
 * @param certificateFingerprint its current certificate
 * @param certificateNotAfter when that certificate expires
 * @param lastSeen the last time the node wrote this record
 * @param issuer fingerprint of the CA that signed that certificate; null in records written before CA
 *     rotation existed (such a certificate counts as needing every CA until it is renewed)
 */
public record MemberRecord(int schema, String node, String overlayAddress, List<String> groups, Role role,
                           String publicEndpoint, String certificateFingerprint, Instant certificateNotAfter,
                           Instant lastSeen, String issuer) implements Versioned {
    public MemberRecord {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(overlayAddress, "overlayAddress");
        groups = List.copyOf(groups);
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(certificateFingerprint, "certificateFingerprint");
        Objects.requireNonNull(certificateNotAfter, "certificateNotAfter");
        Objects.requireNonNull(lastSeen, "lastSeen");
    }

    /** A record without the issuer's fingerprint, as written before CA rotation existed. */
    public MemberRecord(int schema, String node, String overlayAddress, List<String> groups, Role role,
                        String publicEndpoint, String certificateFingerprint, Instant certificateNotAfter, Instant lastSeen) {
        this(schema, node, overlayAddress, groups, role, publicEndpoint, certificateFingerprint, certificateNotAfter,
                lastSeen, null);
    }
}
