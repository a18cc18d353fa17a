package dev.meshjoin.api.ca;

import java.time.Instant;
import java.util.List;

/**
 * Checks certificates against a set of trusted CAs. A joining node holds one built from the CA
 * bundle pinned in the network record; it holds no private CA key.
 */
public interface CertificateVerifier {

    /** The trusted CA certificates, in bundle order. */
    List<HostCertificate> trusted();

    /** The trusted bundle as PEM text bytes, ready for an overlay's {@code pki.ca}. */
    byte[] bundlePem();

    /**
     * Parses and verifies a certificate at the given instant: validity, issuer, signature, the
     * issuer's constraints and the blocklist.
     *
     * @throws InvalidCertificateException with the reason when it is refused
     */
    HostCertificate verify(byte[] certificatePem, Instant at);
}
