package dev.meshjoin.core.state;

import dev.meshjoin.api.ca.CertificateAuthority;
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

    /**
     * Two thirds into a certificate's lifetime, when its holder renews it. The lifetime counts from
     * when the certificate was issued: the signing service backdates {@code notBefore} by
     * {@link CertificateAuthority#BACKDATE} (for clocks that are behind), and counting those minutes
     * too would renew a two-minute certificate after 40 s and a one-minute one at once.
     */
    public static Instant renewAt(Instant notBefore, Instant notAfter) {
        long backdate = CertificateAuthority.BACKDATE.toMillis();
        long lifetime = notAfter.toEpochMilli() - notBefore.toEpochMilli();
        Instant issued = lifetime > backdate ? notBefore.plusMillis(backdate) : notBefore;
        long fromIssue = notAfter.toEpochMilli() - issued.toEpochMilli();
        return issued.plusMillis(fromIssue * 2 / 3);
    }
}
