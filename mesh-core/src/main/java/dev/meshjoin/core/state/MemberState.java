package dev.meshjoin.core.state;

import java.time.Instant;
import java.util.Objects;

/**
 * The part of the state document about the member that asked: what the lighthouse knows of its
 * current certificate and when to renew it.
 *
 * @param node the caller, identified by its overlay address
 * @param overlayAddress that address
 * @param certificateFingerprint the newest certificate issued to it
 * @param certificateNotAfter when that certificate expires
 * @param renewAt two thirds into that certificate's lifetime
 */
public record MemberState(String node, String overlayAddress, String certificateFingerprint,
                          Instant certificateNotAfter, Instant renewAt) {
    public MemberState {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(overlayAddress, "overlayAddress");
        Objects.requireNonNull(certificateFingerprint, "certificateFingerprint");
        Objects.requireNonNull(certificateNotAfter, "certificateNotAfter");
        Objects.requireNonNull(renewAt, "renewAt");
    }

    /** Two thirds into a certificate's lifetime: when its holder renews it. */
    public static Instant renewAt(Instant notBefore, Instant notAfter) {
        long lifetime = notAfter.toEpochMilli() - notBefore.toEpochMilli();
        return notBefore.plusMillis(lifetime * 2 / 3);
    }
}
