package dev.meshjoin.nebula.cert;

import dev.meshjoin.api.ca.CertificateVerifier;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.ca.InvalidCertificateException.Reason;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A set of trusted Nebula CAs and a fingerprint blocklist: verifies certificates as a Nebula node
 * does. Every CA must be a self-signed CA certificate. An expired CA stays in the pool (the
 * bundle may be rotating) but nothing it signed verifies any more.
 *
 * <pre>{@code
 * NebulaCaPool pool = NebulaCaPool.fromBundle(Files.readAllBytes(Path.of("ca.crt")));
 * HostCertificate host = pool.verify(Files.readAllBytes(Path.of("host.crt")), Instant.now());
 * }</pre>
 *
 * Thread-safe: the blocklist may grow while other threads verify.
 */
public final class NebulaCaPool implements CertificateVerifier {
    private final Map<String, NebulaCertificate> cas = new LinkedHashMap<>();
    private final Set<String> blocked = ConcurrentHashMap.newKeySet();

    /**
     * A pool of these CA certificates, in order.
     *
     * @throws InvalidCertificateException when one is not a CA, not self-signed, or not canonically encoded
     */
    public NebulaCaPool(List<NebulaCertificate> caCertificates) {
        if (caCertificates.isEmpty()) {
            throw Proto.malformed("a CA bundle needs at least one CA certificate");
        }
        for (NebulaCertificate ca : caCertificates) {
            String name = ca.details().name();
            if (!ca.details().ca()) {
                throw new InvalidCertificateException(Reason.UNTRUSTED_ISSUER,
                        "'" + name + "' in the CA bundle is not a CA certificate");
            }
            if (!ca.isCanonical()) {
                throw Proto.malformed("the CA certificate '" + name + "' is not canonically encoded");
            }
            if (!ca.checkSignature(ca.details().publicKey())) {
                throw new InvalidCertificateException(Reason.BAD_SIGNATURE,
                        "the CA certificate '" + name + "' is not self-signed (or was altered)");
            }
            cas.putIfAbsent(ca.fingerprint(), ca);
        }
    }

    /** A pool trusting every certificate of a PEM bundle. */
    public static NebulaCaPool fromBundle(byte[] bundlePem) {
        return new NebulaCaPool(NebulaCertificate.parseBundle(bundlePem));
    }

    /** Refuses certificates with this fingerprint from now on. */
    public void block(String fingerprint) {
        blocked.add(Objects.requireNonNull(fingerprint, "fingerprint").toLowerCase(Locale.ROOT));
    }

    public boolean isBlocked(String fingerprint) {
        return blocked.contains(fingerprint.toLowerCase(Locale.ROOT));
    }

    /** The trusted CAs as parsed certificates. */
    public List<NebulaCertificate> certificates() {
        return List.copyOf(cas.values());
    }

    @Override
    public List<HostCertificate> trusted() {
        return cas.values().stream().map(NebulaCertificate::toHostCertificate).toList();
    }

    @Override
    public byte[] bundlePem() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        cas.values().forEach(c -> out.writeBytes(c.toPem()));
        return out.toByteArray();
    }

    @Override
    public HostCertificate verify(byte[] certificatePem, Instant at) {
        return verify(NebulaCertificate.fromPem(certificatePem), at).toHostCertificate();
    }

    /**
     * Verifies a parsed certificate at {@code at}: blocklist, encoding, issuer, the CA's and the
     * certificate's validity, signature, then the CA's constraints.
     *
     * @return the certificate itself
     * @throws InvalidCertificateException with the reason when refused
     */
    public NebulaCertificate verify(NebulaCertificate cert, Instant at) {
        String fp = cert.fingerprint();
        String name = cert.details().name();
        if (blocked.contains(fp)) {
            throw new InvalidCertificateException(Reason.BLOCKLISTED,
                    "the certificate '" + name + "' (" + fp + ") has been blocked");
        }
        // Nebula re-encodes before checking the signature, so a non-canonical encoding of signed
        // fields would verify there; refusing it here makes every altered byte count.
        if (!cert.isCanonical()) {
            throw Proto.malformed("the certificate '" + name + "' is not canonically encoded; it was altered");
        }
        String issuer = cert.details().issuer();
        if (issuer.isEmpty()) {
            throw new InvalidCertificateException(Reason.UNTRUSTED_ISSUER,
                    "the certificate '" + name + "' names no issuer");
        }
        NebulaCertificate ca = cas.get(issuer);
        if (ca == null) {
            throw new InvalidCertificateException(Reason.UNTRUSTED_ISSUER,
                    "the certificate '" + name + "' was issued by " + issuer + ", which is not a trusted CA");
        }
        if (blocked.contains(issuer)) {
            throw new InvalidCertificateException(Reason.BLOCKLISTED,
                    "the CA of '" + name + "' (" + issuer + ") has been blocked");
        }
        if (ca.details().notBefore().isAfter(at)) {
            throw new InvalidCertificateException(Reason.NOT_YET_VALID, "the CA '" + ca.details().name()
                    + "' of '" + name + "' is not valid before " + ca.details().notBefore());
        }
        if (ca.details().notAfter().isBefore(at)) {
            throw new InvalidCertificateException(Reason.EXPIRED, "the CA '" + ca.details().name()
                    + "' of '" + name + "' expired at " + ca.details().notAfter());
        }
        if (cert.details().notAfter().isBefore(at)) {
            throw new InvalidCertificateException(Reason.EXPIRED,
                    "the certificate '" + name + "' expired at " + cert.details().notAfter());
        }
        if (cert.details().notBefore().isAfter(at)) {
            throw new InvalidCertificateException(Reason.NOT_YET_VALID,
                    "the certificate '" + name + "' is not valid before " + cert.details().notBefore());
        }
        if (!cert.checkSignature(ca.details().publicKey())) {
            throw new InvalidCertificateException(Reason.BAD_SIGNATURE,
                    "the signature of '" + name + "' does not verify under its CA '" + ca.details().name() + "'");
        }
        Constraints.check(ca.details(), cert.details());
        return cert;
    }

    @Override
    public String toString() {
        return "NebulaCaPool[" + cas.size() + " CAs, " + blocked.size() + " blocked]";
    }
}
