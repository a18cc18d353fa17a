package dev.meshjoin.nebula.cert;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.CertificateRequest;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.ca.InvalidCertificateException.Reason;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.net.Ipv4Interface;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A Nebula v1 certificate authority held in memory: its CA certificate and Ed25519 key. Signs host
 * certificates for public keys it is given, exactly as {@code nebula-cert sign -in-pub} would, and
 * enforces its own constraints and expiry whatever it is asked. Time comes from the injected
 * {@link Clock}.
 *
 * <pre>{@code
 * NebulaCertificateAuthority ca = NebulaCertificateAuthority.create(
 *         CaSpec.forNetwork("mesh", Ipv4Cidr.parse("10.42.0.0/16"), Duration.ofDays(365)),
 *         Clock.systemUTC(), new SecureRandom());
 * NebulaCertificate host = ca.sign(new NebulaCertificateAuthority.SignRequest(pub, "worker-7",
 *         Ipv4Interface.parse("10.42.0.7/16"), List.of("workers"), List.of(), Duration.ofDays(30)));
 * }</pre>
 *
 * Thread-safe.
 */
public final class NebulaCertificateAuthority implements CertificateAuthority {
    private final NebulaCertificate caCertificate;
    private final CaSigningKey key;
    private final Clock clock;
    private final NebulaCaPool pool;

    /**
     * Everything a host certificate carries besides what the CA decides (issuer, start time).
     *
     * @param publicKey the host's raw 32-byte X25519 public key
     * @param name the host name
     * @param ip the overlay address with the overlay network's prefix length
     * @param groups groups, in order
     * @param subnets unsafe routes the host serves, may be empty
     * @param validity how long from now, or {@code null} for one second before the CA expires
     */
    public record SignRequest(byte[] publicKey, String name, Ipv4Interface ip, List<String> groups,
                              List<Ipv4Interface> subnets, Duration validity) {
        public SignRequest {
            Objects.requireNonNull(publicKey, "publicKey");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(ip, "ip");
            groups = List.copyOf(groups);
            subnets = List.copyOf(subnets);
            publicKey = publicKey.clone();
        }

        @Override
        public byte[] publicKey() {
            return publicKey.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SignRequest r && java.util.Arrays.equals(publicKey, r.publicKey) && name.equals(r.name)
                    && ip.equals(r.ip) && groups.equals(r.groups) && subnets.equals(r.subnets)
                    && Objects.equals(validity, r.validity);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, ip, groups, subnets, validity);
        }

        @Override
        public String toString() {
            return "SignRequest[" + name + " " + ip + " " + groups + " " + subnets + " " + validity + "]";
        }
    }

    private NebulaCertificateAuthority(NebulaCertificate caCertificate, CaSigningKey key, Clock clock) {
        this.caCertificate = caCertificate;
        this.key = key;
        this.clock = clock;
        this.pool = new NebulaCaPool(List.of(caCertificate));
    }

    /** Creates a CA with a fresh key, valid from {@code spec.backdate()} ago until {@code spec.validity()} from now. */
    public static NebulaCertificateAuthority create(CaSpec spec, Clock clock, SecureRandom random) {
        if (spec.name().isEmpty()) {
            throw new ConfigurationException("a CA needs a name");
        }
        Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        CaSigningKey key = CaSigningKey.generate(random);
        NebulaCertificate.Details details = new NebulaCertificate.Details(spec.name(), interfaces(spec.networks()),
                interfaces(spec.subnets()), spec.groups(), now.minus(spec.backdate()), now.plus(spec.validity()),
                key.publicKey(), true, "");
        return new NebulaCertificateAuthority(NebulaCertificate.sign(details, key), key, clock);
    }

    /**
     * Loads a CA from its certificate and key PEM (as {@code nebula-cert ca} writes them, or as
     * {@link #exportPrivateKey()} gave).
     *
     * @throws InvalidCertificateException when either does not parse, the certificate is not a
     *     self-signed CA, or the key does not belong to it ({@code KEY_MISMATCH})
     */
    public static NebulaCertificateAuthority load(byte[] caCertificatePem, byte[] caKeyPem, Clock clock) {
        NebulaCertificate cert = NebulaCertificate.fromPem(caCertificatePem);
        CaSigningKey key = CaSigningKey.fromPem(caKeyPem);
        if (!cert.details().ca()) {
            throw new InvalidCertificateException(Reason.UNTRUSTED_ISSUER,
                    "'" + cert.details().name() + "' is not a CA certificate");
        }
        if (!key.matches(cert.details().publicKey())) {
            throw new InvalidCertificateException(Reason.KEY_MISMATCH,
                    "the CA key does not belong to the CA certificate '" + cert.details().name() + "'");
        }
        return new NebulaCertificateAuthority(cert, key, clock);
    }

    private static List<Ipv4Interface> interfaces(List<Ipv4Cidr> cidrs) {
        return cidrs.stream().map(c -> new Ipv4Interface(c.network(), c.prefixLength())).toList();
    }

    /** The CA certificate, parsed. */
    public NebulaCertificate certificate() {
        return caCertificate;
    }

    /** The pool this CA verifies with (itself, plus the blocklist). */
    public NebulaCaPool pool() {
        return pool;
    }

    /**
     * Signs a host certificate, valid from now (whole seconds).
     *
     * @throws InvalidCertificateException {@code EXPIRED} when this CA has expired,
     *     {@code CONSTRAINT_VIOLATION} when the request breaks its constraints,
     *     {@code MALFORMED} for a public key that is not 32 bytes
     */
    public NebulaCertificate sign(SignRequest request) {
        return sign(request, Duration.ZERO);
    }

    /**
     * Signs a host certificate valid from {@code backdate} before now (whole seconds), but never
     * before this CA: a holder whose clock is behind by less than that still accepts it.
     */
    public NebulaCertificate sign(SignRequest request, Duration backdate) {
        if (request.name().isEmpty()) {
            throw new ConfigurationException("a host certificate needs a name");
        }
        NebulaCertificate.Details ca = caCertificate.details();
        Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        if (caCertificate.expired(now)) {
            throw new InvalidCertificateException(Reason.EXPIRED, "the CA '" + ca.name() + "' is outside its validity "
                    + ca.notBefore() + ".." + ca.notAfter() + "; create or load a valid CA");
        }
        Instant notAfter = request.validity() == null ? ca.notAfter().minusSeconds(1) : now.plus(request.validity());
        if (notAfter.isBefore(now)) {
            throw new InvalidCertificateException(Reason.EXPIRED, "the CA '" + ca.name() + "' expires at "
                    + ca.notAfter() + ", too soon to sign anything; rotate the CA");
        }
        Instant backdated = now.minus(backdate);
        Instant notBefore = backdated.isBefore(ca.notBefore()) ? ca.notBefore() : backdated;
        NebulaCertificate.Details details = new NebulaCertificate.Details(request.name(), List.of(request.ip()),
                request.subnets(), request.groups(), notBefore, notAfter, request.publicKey(), false,
                caCertificate.fingerprint());
        try {
            Constraints.check(ca, details);
        } catch (InvalidCertificateException e) {
            throw new InvalidCertificateException(e.reason(), "refusing to sign '" + request.name() + "': " + e.getMessage());
        }
        return NebulaCertificate.sign(details, key);
    }

    @Override
    public HostCertificate caCertificate() {
        return caCertificate.toHostCertificate();
    }

    @Override
    public HostCertificate issue(CertificateRequest request) {
        return sign(new SignRequest(request.publicKey(), request.name(),
                new Ipv4Interface(request.address(), request.prefixLength()), request.groups(), List.of(),
                request.validity()), request.backdate()).toHostCertificate();
    }

    /** The CA key as {@value NebulaPem#ED25519_PRIVATE_KEY} PEM, which {@code nebula-cert sign -ca-key} reads. */
    @Override
    public byte[] exportPrivateKey() {
        return key.toPem();
    }

    @Override
    public byte[] signStatement(byte[] message) {
        return key.sign(message);
    }

    @Override
    public void block(String fingerprint) {
        pool.block(fingerprint);
    }

    @Override
    public List<HostCertificate> trusted() {
        return pool.trusted();
    }

    @Override
    public byte[] bundlePem() {
        return pool.bundlePem();
    }

    @Override
    public HostCertificate verify(byte[] certificatePem, Instant at) {
        return pool.verify(certificatePem, at);
    }

    @Override
    public String toString() {
        return "NebulaCertificateAuthority[" + caCertificate.details().name() + " " + caCertificate.fingerprint() + "]";
    }
}
