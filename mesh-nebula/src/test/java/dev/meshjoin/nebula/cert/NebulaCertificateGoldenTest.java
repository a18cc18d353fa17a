package dev.meshjoin.nebula.cert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.net.Ipv4Interface;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Our code against files nebula-cert 1.6.1 wrote: parsing, re-encoding, printing, verifying, keys. */
class NebulaCertificateGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"ca", "host1", "host2"})
    void reEncodingGivesBackTheSameBytesAndPem(String name) {
        byte[] pem = Fixtures.bytes(name + ".crt");
        byte[] der = NebulaPem.decode(NebulaPem.CERTIFICATE, pem);
        NebulaCertificate cert = NebulaCertificate.parse(der);
        assertThat(cert.marshal()).isEqualTo(der);
        assertThat(cert.isCanonical()).isTrue();
        assertThat(cert.toPem()).isEqualTo(pem);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ca", "host1", "host2"})
    void printsTheSameJsonAndTextAsNebulaCert(String name) {
        NebulaCertificate cert = NebulaCertificate.fromPem(Fixtures.bytes(name + ".crt"));
        assertThat(cert.toJson() + "\n").isEqualTo(Fixtures.text(name + ".json"));
        assertThat(cert.toText() + "\n").isEqualTo(Fixtures.text(name + ".txt"));
    }

    @Test
    void parsedFieldsAreTheOnesNebulaCertWrote() {
        NebulaCertificate ca = NebulaCertificate.fromPem(Fixtures.bytes("ca.crt"));
        NebulaCertificate host = NebulaCertificate.fromPem(Fixtures.bytes("host1.crt"));
        assertThat(ca.details().ca()).isTrue();
        assertThat(ca.details().issuer()).isEmpty();
        assertThat(ca.details().groups()).containsExactly("ops", "workers", "a<b&c");
        assertThat(ca.details().ips()).containsExactly(Ipv4Interface.parse("10.42.0.0/16"), Ipv4Interface.parse("10.43.0.0/24"));
        HostCertificate h = host.toHostCertificate();
        assertThat(h.name()).isEqualTo("host1");
        assertThat(h.addresses()).containsExactly(Ipv4Interface.parse("10.42.0.7/16"));
        assertThat(h.groups()).containsExactly("ops", "workers");
        assertThat(h.ca()).isFalse();
        assertThat(h.issuer()).isEqualTo(ca.fingerprint());
        assertThat(h.fingerprint()).isEqualTo(host.fingerprint()).hasSize(64);
        assertThat(host.details().subnets()).containsExactly(Ipv4Interface.parse("192.168.1.0/24"));
        // nebula-cert's default validity: one second before the CA expires
        assertThat(h.notAfter()).isEqualTo(ca.details().notAfter().minusSeconds(1));
    }

    @Test
    void nebulaCertsVerifyUnderTheirCaAndBundle() {
        NebulaCaPool pool = NebulaCaPool.fromBundle(Fixtures.bytes("ca.crt"));
        assertThat(pool.verify(Fixtures.bytes("host1.crt"), Fixtures.INSIDE).name()).isEqualTo("host1");
        assertThat(pool.verify(Fixtures.bytes("host2.crt"), Fixtures.INSIDE).name()).isEqualTo("host2");
        assertThat(pool.bundlePem()).isEqualTo(Fixtures.bytes("ca.crt"));
    }

    @Test
    void nebulaKeysLoadAndBelongToTheirCertificates() {
        CaSigningKey caKey = CaSigningKey.fromPem(Fixtures.bytes("ca.key"));
        NebulaCertificate ca = NebulaCertificate.fromPem(Fixtures.bytes("ca.crt"));
        assertThat(caKey.publicKey()).isEqualTo(ca.details().publicKey());
        assertThat(caKey.toPem()).isEqualTo(Fixtures.bytes("ca.key"));

        HostKeyPair host2 = HostKeys.fromPrivateKeyPem(Fixtures.bytes("host2.key"));
        assertThat(host2.publicKey()).isEqualTo(NebulaPem.decodeX25519PublicKey(Fixtures.bytes("host2.pub")));
        assertThat(host2.publicKey()).isEqualTo(NebulaCertificate.fromPem(Fixtures.bytes("host2.crt")).details().publicKey());
        assertThat(NebulaPem.encodeX25519PublicKey(host2.publicKey())).isEqualTo(Fixtures.bytes("host2.pub"));
        assertThat(NebulaPem.encodeX25519PrivateKey(host2.privateKey())).isEqualTo(Fixtures.bytes("host2.key"));

        HostKeyPair host1 = HostKeys.fromPrivateKeyPem(Fixtures.bytes("host1.key"));
        assertThat(host1.publicKey()).isEqualTo(NebulaCertificate.fromPem(Fixtures.bytes("host1.crt")).details().publicKey());
    }

    @Test
    void ourSignatureWithTheirCaKeyIsByteForByteTheirs() {
        // Ed25519 is deterministic: signing nebula-cert's details with its CA key must give its signature.
        NebulaCertificate host = NebulaCertificate.fromPem(Fixtures.bytes("host1.crt"));
        CaSigningKey caKey = CaSigningKey.fromPem(Fixtures.bytes("ca.key"));
        NebulaCertificate ours = NebulaCertificate.sign(host.details(), caKey);
        assertThat(HexFormat.of().formatHex(ours.signature())).isEqualTo(HexFormat.of().formatHex(host.signature()));
        assertThat(ours.marshal()).isEqualTo(host.encoded());
    }

    @Test
    void aCaMadeByNebulaCertSignsHostsThatVerify() {
        NebulaCertificateAuthority ca = NebulaCertificateAuthority.load(Fixtures.bytes("ca.crt"), Fixtures.bytes("ca.key"),
                java.time.Clock.fixed(Fixtures.INSIDE, java.time.ZoneOffset.UTC));
        HostKeyPair keys = HostKeys.generate(new java.security.SecureRandom());
        NebulaCertificate cert = ca.sign(new NebulaCertificateAuthority.SignRequest(keys.publicKey(), "ours",
                Ipv4Interface.parse("10.42.9.9/16"), List.of("workers"), List.of(), null));
        assertThat(NebulaCaPool.fromBundle(Fixtures.bytes("ca.crt")).verify(cert, Instant.parse("2030-01-01T00:00:00Z")))
                .isEqualTo(cert);
    }
}
