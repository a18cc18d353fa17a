package dev.meshjoin.nebula.cert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.ca.CertificateRequest;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.ca.InvalidCertificateException.Reason;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.net.Ipv4Interface;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class NebulaCertificateAuthorityTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final NebulaCertificateAuthority ca = NebulaCertificateAuthority.create(
            new CaSpec("mesh", Duration.ofDays(10), List.of(Ipv4Cidr.parse("10.42.0.0/16")),
                    List.of(Ipv4Cidr.parse("192.168.0.0/16")), List.of("workers", "ops")), CLOCK, RANDOM);
    private final HostKeyPair keys = HostKeys.generate(RANDOM);

    private NebulaCertificateAuthority.SignRequest request(String ip, List<String> groups, Duration validity) {
        return new NebulaCertificateAuthority.SignRequest(keys.publicKey(), "worker-7", Ipv4Interface.parse(ip), groups,
                List.of(), validity);
    }

    private static void refused(Reason reason, String messagePart, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidCertificateException.class,
                e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason)).hasMessageContaining(messagePart);
    }

    @Test
    void issuesAHostCertificateWithEveryFieldAsAsked() {
        HostCertificate cert = ca.issue(new CertificateRequest(keys.publicKey(), "worker-7", Ipv4Address.parse("10.42.0.7"),
                16, List.of("workers"), Duration.ofHours(5)));
        assertThat(cert.name()).isEqualTo("worker-7");
        assertThat(cert.addresses()).containsExactly(Ipv4Interface.parse("10.42.0.7/16"));
        assertThat(cert.groups()).containsExactly("workers");
        assertThat(cert.notBefore()).isEqualTo(T0);
        assertThat(cert.notAfter()).isEqualTo(T0.plus(Duration.ofHours(5)));
        assertThat(cert.publicKey()).isEqualTo(keys.publicKey());
        assertThat(cert.ca()).isFalse();
        assertThat(cert.issuer()).isEqualTo(ca.caCertificate().fingerprint());
        assertThat(cert.pemText()).startsWith("-----BEGIN NEBULA CERTIFICATE-----\n");
        assertThat(ca.verify(cert.pem(), T0.plusSeconds(60))).isEqualTo(cert);
    }

    @Test
    void theCaCertificateCarriesItsConstraints() {
        HostCertificate c = ca.caCertificate();
        assertThat(c.ca()).isTrue();
        assertThat(c.issuer()).isEmpty();
        assertThat(c.addresses()).containsExactly(Ipv4Interface.parse("10.42.0.0/16"));
        assertThat(c.groups()).containsExactly("workers", "ops");
        assertThat(c.notAfter()).isEqualTo(T0.plus(Duration.ofDays(10)));
        assertThat(ca.certificate().details().subnets()).containsExactly(Ipv4Interface.parse("192.168.0.0/16"));
    }

    @Test
    void defaultValidityIsOneSecondBeforeTheCaExpires() {
        NebulaCertificate cert = ca.sign(request("10.42.0.7/16", List.of(), null));
        assertThat(cert.details().notAfter()).isEqualTo(T0.plus(Duration.ofDays(10)).minusSeconds(1));
    }

    @Test
    void refusesAnAddressOutsideTheCaNetworks() {
        refused(Reason.CONSTRAINT_VIOLATION, "10.99.0.7/16 lies outside", () -> ca.sign(request("10.99.0.7/16", List.of(), null)));
        // inside the network, but claiming a wider mask than the CA's
        refused(Reason.CONSTRAINT_VIOLATION, "10.42.0.7/8", () -> ca.sign(request("10.42.0.7/8", List.of(), null)));
    }

    @Test
    void refusesASubnetOutsideTheCaSubnets() {
        refused(Reason.CONSTRAINT_VIOLATION, "subnet 172.16.0.0/24", () -> ca.sign(new NebulaCertificateAuthority.SignRequest(
                keys.publicKey(), "w", Ipv4Interface.parse("10.42.0.7/16"), List.of(),
                List.of(Ipv4Interface.parse("172.16.0.0/24")), null)));
    }

    @Test
    void refusesAGroupOutsideTheCaGroups() {
        refused(Reason.CONSTRAINT_VIOLATION, "group 'admins'", () -> ca.sign(request("10.42.0.7/16", List.of("workers", "admins"), null)));
    }

    @Test
    void refusesAValidityPastTheCa() {
        refused(Reason.CONSTRAINT_VIOLATION, "after its CA", () -> ca.sign(request("10.42.0.7/16", List.of(), Duration.ofDays(11))));
    }

    @Test
    void anExpiredCaSignsNothingAndItsCertificatesNoLongerVerify() {
        NebulaCertificate cert = ca.sign(request("10.42.0.7/16", List.of(), Duration.ofDays(1)));
        Clock later = Clock.fixed(T0.plus(Duration.ofDays(10)).plusSeconds(1), ZoneOffset.UTC);
        NebulaCertificateAuthority expired = NebulaCertificateAuthority.load(ca.certificate().toPem(), ca.exportPrivateKey(), later);
        refused(Reason.EXPIRED, "outside its validity", () -> expired.sign(request("10.42.0.8/16", List.of(), null)));
        refused(Reason.EXPIRED, "the CA 'mesh'", () -> ca.pool().verify(cert, later.instant()));
    }

    @Test
    void refusesExpiredAndNotYetValidCertificates() {
        NebulaCertificate cert = ca.sign(request("10.42.0.7/16", List.of(), Duration.ofHours(1)));
        refused(Reason.EXPIRED, "expired", () -> ca.pool().verify(cert, T0.plus(Duration.ofHours(1)).plusSeconds(1)));
        refused(Reason.NOT_YET_VALID, "not valid before", () -> ca.pool().verify(cert, T0.minusSeconds(1)));
        assertThat(ca.pool().verify(cert, T0.plus(Duration.ofHours(1)))).isEqualTo(cert); // bounds are inclusive
    }

    @Test
    void refusesABlocklistedFingerprint() {
        HostCertificate cert = ca.issue(new CertificateRequest(keys.publicKey(), "w", Ipv4Address.parse("10.42.0.7"), 16,
                List.of(), null));
        assertThat(ca.verify(cert.pem(), T0)).isEqualTo(cert);
        ca.block(cert.fingerprint().toUpperCase());
        refused(Reason.BLOCKLISTED, "blocked", () -> ca.verify(cert.pem(), T0));
    }

    @Test
    void refusesEverySingleFlippedBit() {
        NebulaCertificate cert = ca.sign(new NebulaCertificateAuthority.SignRequest(keys.publicKey(), "worker-7",
                Ipv4Interface.parse("10.42.0.7/16"), List.of("workers", "ops"), List.of(Ipv4Interface.parse("192.168.3.0/24")),
                Duration.ofDays(2)));
        byte[] der = cert.encoded();
        assertThat(ca.pool().verify(cert, T0)).isEqualTo(cert);
        for (int bit = 0; bit < der.length * 8; bit++) {
            byte[] tampered = der.clone();
            tampered[bit / 8] ^= (byte) (1 << (bit % 8));
            byte[] pem = NebulaPem.encode(NebulaPem.CERTIFICATE, tampered);
            int b = bit;
            assertThatThrownBy(() -> ca.verify(pem, T0)).as("bit %d", b).isInstanceOf(InvalidCertificateException.class);
        }
    }

    @Test
    void refusesACertificateFromAnotherCa() {
        NebulaCertificateAuthority other = NebulaCertificateAuthority.create(CaSpec.forNetwork("other",
                Ipv4Cidr.parse("10.42.0.0/16"), Duration.ofDays(1)), CLOCK, RANDOM);
        NebulaCertificate cert = other.sign(request("10.42.0.7/16", List.of(), null));
        refused(Reason.UNTRUSTED_ISSUER, "not a trusted CA", () -> ca.pool().verify(cert, T0));
        // a bundle of both trusts it
        NebulaCaPool both = new NebulaCaPool(List.of(ca.certificate(), other.certificate()));
        assertThat(both.verify(cert, T0)).isEqualTo(cert);
        assertThat(NebulaCaPool.fromBundle(both.bundlePem()).trusted()).hasSize(2);
    }

    @Test
    void aForgedIssuerFieldDoesNotHelp() {
        // Signed by another key but naming our CA as issuer: the signature check refuses it.
        NebulaCertificate genuine = ca.sign(request("10.42.0.7/16", List.of(), null));
        NebulaCertificate forged = NebulaCertificate.sign(genuine.details(), CaSigningKey.generate(RANDOM));
        refused(Reason.BAD_SIGNATURE, "does not verify", () -> ca.pool().verify(forged, T0));
    }

    @Test
    void exportedKeyLoadsBackAndAForeignKeyIsRefused() {
        NebulaCertificateAuthority again = NebulaCertificateAuthority.load(ca.certificate().toPem(), ca.exportPrivateKey(), CLOCK);
        NebulaCertificate cert = again.sign(request("10.42.0.7/16", List.of(), null));
        assertThat(ca.pool().verify(cert, T0)).isEqualTo(cert);
        assertThat(new String(ca.exportPrivateKey(), java.nio.charset.StandardCharsets.US_ASCII))
                .startsWith("-----BEGIN NEBULA ED25519 PRIVATE KEY-----\n");
        byte[] foreignKey = CaSigningKey.generate(RANDOM).toPem();
        refused(Reason.KEY_MISMATCH, "does not belong", () -> NebulaCertificateAuthority.load(ca.certificate().toPem(), foreignKey, CLOCK));
        byte[] hostPem = cert.toPem();
        refused(Reason.UNTRUSTED_ISSUER, "not a CA", () -> NebulaCertificateAuthority.load(hostPem, ca.exportPrivateKey(), CLOCK));
    }

    @Test
    void refusesAPublicKeyOfTheWrongSizeAndAnEmptyName() {
        refused(Reason.MALFORMED, "32 bytes", () -> ca.sign(new NebulaCertificateAuthority.SignRequest(new byte[31], "w",
                Ipv4Interface.parse("10.42.0.7/16"), List.of(), List.of(), null)));
        assertThatThrownBy(() -> ca.sign(new NebulaCertificateAuthority.SignRequest(keys.publicKey(), "",
                Ipv4Interface.parse("10.42.0.7/16"), List.of(), List.of(), null))).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void aBundleHoldingAHostCertificateIsRefused() {
        NebulaCertificate host = ca.sign(request("10.42.0.7/16", List.of(), null));
        refused(Reason.UNTRUSTED_ISSUER, "not a CA certificate", () -> NebulaCaPool.fromBundle(host.toPem()));
    }

    @Test
    void theProviderIsFoundByServiceLoader() {
        CertificateAuthorityProvider provider = ServiceLoader.load(CertificateAuthorityProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.type().equals("nebula-v1")).findFirst().orElseThrow();
        CertificateAuthority created = provider.create(CaSpec.forNetwork("sl", Ipv4Cidr.parse("10.1.0.0/16"), Duration.ofDays(1)));
        HostKeyPair hk = provider.newHostKeyPair();
        assertThat(hk.publicKey()).hasSize(32).isEqualTo(HostKeys.publicKeyOf(hk.privateKey()));
        HostCertificate cert = created.issue(new CertificateRequest(hk.publicKey(), "n", Ipv4Address.parse("10.1.0.2"), 16,
                List.of(), Duration.ofMinutes(5)));
        assertThat(provider.verifier(created.bundlePem()).verify(cert.pem(), Instant.now())).isEqualTo(cert);
        CertificateAuthority loaded = provider.load(created.caCertificate().pem(), created.exportPrivateKey());
        assertThat(loaded.caCertificate()).isEqualTo(created.caCertificate());
    }

    @Test
    void signsAndBlocksConcurrentlyWithoutLosingAnything() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<NebulaCertificate>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    NebulaCertificate c = ca.sign(new NebulaCertificateAuthority.SignRequest(HostKeys.generate(RANDOM).publicKey(),
                            "w" + n, new Ipv4Interface(new Ipv4Address(Ipv4Address.parse("10.42.1.0").bits() + n), 16),
                            List.of("workers"), List.of(), null));
                    if (n % 2 == 0) {
                        ca.block(c.fingerprint());
                    }
                    return c;
                }));
            }
            for (int i = 0; i < futures.size(); i++) {
                NebulaCertificate c = futures.get(i).get();
                if (i % 2 == 0) {
                    refused(Reason.BLOCKLISTED, "blocked", () -> ca.pool().verify(c, T0));
                } else {
                    assertThat(ca.pool().verify(c, T0)).isEqualTo(c);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void toStringNeverShowsTheCaKey() {
        CaSigningKey key = CaSigningKey.generate(RANDOM);
        String seedHex = java.util.HexFormat.of().formatHex(key.toNebulaBytes(), 0, 32);
        assertThat(key.toString()).doesNotContain(seedHex).contains("redacted");
        assertThat(ca.toString()).doesNotContain("PRIVATE");
    }
}
