package dev.meshjoin.nebula.cert;

import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.ca.CertificateVerifier;
import dev.meshjoin.api.ca.HostKeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;

/**
 * The {@code nebula-v1} certificate format: Nebula v1 certificates, Ed25519 CA keys and X25519
 * host keys. Registered for {@link java.util.ServiceLoader}.
 *
 * <pre>{@code
 * CertificateAuthorityProvider nebula = new NebulaCertificateAuthorityProvider();
 * CertificateAuthority ca = nebula.create(CaSpec.forNetwork("mesh", Ipv4Cidr.parse("10.42.0.0/16"),
 *         Duration.ofDays(365)));
 * }</pre>
 */
public final class NebulaCertificateAuthorityProvider implements CertificateAuthorityProvider {
    /** The format name recorded in the network record. */
    public static final String TYPE = "nebula-v1";

    private final Clock clock;
    private final SecureRandom random;

    /** With the system clock and a default strong random source (what ServiceLoader uses). */
    public NebulaCertificateAuthorityProvider() {
        this(Clock.systemUTC(), new SecureRandom());
    }

    /** With an injected clock (tests, simulations) and random source. */
    public NebulaCertificateAuthorityProvider(Clock clock, SecureRandom random) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public NebulaCertificateAuthority create(CaSpec spec) {
        return NebulaCertificateAuthority.create(spec, clock, random);
    }

    @Override
    public CertificateAuthority load(byte[] caCertificatePem, byte[] caPrivateKey) {
        return NebulaCertificateAuthority.load(caCertificatePem, caPrivateKey, clock);
    }

    @Override
    public CertificateVerifier verifier(byte[] bundlePem) {
        return NebulaCaPool.fromBundle(bundlePem);
    }

    @Override
    public boolean verifyStatement(dev.meshjoin.api.ca.HostCertificate ca, byte[] message, byte[] signature) {
        return CaSigningKey.verify(ca.publicKey(), message, signature);
    }

    @Override
    public HostKeyPair newHostKeyPair() {
        return HostKeys.generate(random);
    }
}
