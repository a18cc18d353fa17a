package dev.meshjoin.api.ca;

/**
 * Signs host certificates for public keys it is given. It never makes or sees a host's private
 * key. The authority enforces its own constraints (networks, groups, its own expiry) whatever
 * the caller asks; the caller, the signing service, decides name, address and groups.
 *
 * <pre>{@code
 * HostCertificate cert = ca.issue(new CertificateRequest(pub, "worker-7",
 *         Ipv4Address.parse("10.42.0.7"), 16, List.of("workers"), Duration.ofDays(30)));
 * }</pre>
 */
public interface CertificateAuthority extends CertificateVerifier {

    /**
     * How long before its signing a certificate (and a CA when created) becomes valid: as long as
     * the signing service's default timestamp window, so a node whose clock is behind by less
     * than that accepts the certificate it was just given, rather than finding it "not yet valid".
     * Never earlier than the CA's own start.
     */
    java.time.Duration BACKDATE = java.time.Duration.ofMinutes(2);

    /** This authority's own CA certificate. */
    HostCertificate caCertificate();

    /**
     * Signs a host certificate.
     *
     * @throws InvalidCertificateException ({@code CONSTRAINT_VIOLATION}) when the request breaks
     *     the CA's constraints, or ({@code EXPIRED}) when the CA itself has expired
     */
    HostCertificate issue(CertificateRequest request);

    /**
     * The CA private key in its provider's text form, for sealing into the store with a
     * {@link dev.meshjoin.api.secret.SecretCodec}. Callers must never write it anywhere unsealed.
     */
    byte[] exportPrivateKey();

    /**
     * Signs a statement about the network (a store record, the state document) with the CA key, so
     * that a reader holding only the CA certificate can tell it from one a store writer made.
     * Callers put a domain label first that no certificate encoding starts with, so that such a
     * signature can never pass for a certificate's.
     *
     * @see CertificateAuthorityProvider#verifyStatement
     */
    byte[] signStatement(byte[] message);

    /** Refuses certificates with this fingerprint from now on, including in {@link #verify}. */
    void block(String fingerprint);
}
