package dev.meshjoin.api.ca;

/**
 * Creates and loads certificate authorities of one certificate format and makes host key pairs of
 * the matching type. Found with {@link java.util.ServiceLoader} or passed to the node builder.
 */
public interface CertificateAuthorityProvider {

    /** The certificate format, such as {@code nebula-v1}; recorded in the network record. */
    String type();

    /** Creates a new CA with a fresh signing key. */
    CertificateAuthority create(CaSpec spec);

    /**
     * Loads a CA from its certificate and the private key that {@link CertificateAuthority#exportPrivateKey()}
     * gave.
     *
     * @throws InvalidCertificateException when they do not parse or do not belong together
     */
    CertificateAuthority load(byte[] caCertificatePem, byte[] caPrivateKey);

    /** A verifier trusting the CAs of a PEM bundle. */
    CertificateVerifier verifier(byte[] bundlePem);

    /** A new host key pair of the type this format certifies, made with a strong random source. */
    HostKeyPair newHostKeyPair();

    /**
     * True when {@code signature} is the signature of {@code ca} (a CA certificate this provider
     * reads) over {@code message}, as {@link CertificateAuthority#signStatement} makes it; false for
     * any other signature, including a malformed one.
     */
    boolean verifyStatement(HostCertificate ca, byte[] message, byte[] signature);
}
