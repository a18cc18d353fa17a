package dev.meshjoin.nebula.cert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.net.Ipv4Interface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our certificates and keys against the real nebula-cert and nebula (Debian 1.6.1). */
class NebulaCertInteropIT {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;
    private Path nebulaCert;

    @BeforeEach
    void findNebulaCert() {
        nebulaCert = NebulaBinaries.require("nebula-cert");
    }

    private NebulaBinaries.Run nebulaCert(String... args) throws Exception {
        return NebulaBinaries.run(dir, nebulaCert, args);
    }

    private void assertOk(NebulaBinaries.Run run) {
        assertThat(run.status()).as("stdout: %s stderr: %s", run.stdout(), run.stderr()).isZero();
    }

    private NebulaCertificateAuthority ourCa() {
        return NebulaCertificateAuthority.create(new CaSpec("Our CA", Duration.ofDays(30),
                List.of(Ipv4Cidr.parse("10.42.0.0/16")), List.of(Ipv4Cidr.parse("192.168.0.0/16")),
                List.of("workers", "ops")), Clock.systemUTC(), RANDOM);
    }

    @Test
    void ourCaAndHostCertificatePassNebulaCertAndPrintExactlyWhatWeSet() throws Exception {
        NebulaCertificateAuthority ca = ourCa();
        HostKeyPair keys = HostKeys.generate(RANDOM);
        NebulaCertificate host = ca.sign(new NebulaCertificateAuthority.SignRequest(keys.publicKey(), "worker-7",
                Ipv4Interface.parse("10.42.0.7/16"), List.of("workers", "ops"), List.of(Ipv4Interface.parse("192.168.7.0/24")),
                Duration.ofHours(2)));
        Files.write(dir.resolve("ca.crt"), ca.certificate().toPem());
        Files.write(dir.resolve("host.crt"), host.toPem());

        assertOk(nebulaCert("verify", "-ca", "ca.crt", "-crt", "host.crt"));
        NebulaBinaries.Run print = nebulaCert("print", "-json", "-path", "host.crt");
        assertOk(print);
        assertThat(print.stdout()).contains("\"name\":\"worker-7\"", "\"ips\":[\"10.42.0.7/16\"]",
                "\"groups\":[\"workers\",\"ops\"]", "\"notBefore\":\"" + host.details().notBefore() + "\"",
                "\"notAfter\":\"" + host.details().notAfter() + "\"", "\"issuer\":\"" + ca.certificate().fingerprint() + "\"");
        assertThat(print.stdout()).isEqualTo(host.toJson() + "\n");
        NebulaBinaries.Run printCa = nebulaCert("print", "-json", "-path", "ca.crt");
        assertThat(printCa.stdout()).isEqualTo(ca.certificate().toJson() + "\n");
        assertThat(nebulaCert("print", "-path", "host.crt").stdout()).isEqualTo(host.toText() + "\n");
    }

    @Test
    void nebulaCertRefusesOurCertificateUnderAnotherCaAndWhenTampered() throws Exception {
        NebulaCertificateAuthority ca = ourCa();
        NebulaCertificateAuthority other = ourCa();
        NebulaCertificate host = ca.sign(new NebulaCertificateAuthority.SignRequest(HostKeys.generate(RANDOM).publicKey(),
                "h", Ipv4Interface.parse("10.42.0.8/16"), List.of(), List.of(), null));
        Files.write(dir.resolve("other.crt"), other.certificate().toPem());
        Files.write(dir.resolve("ca.crt"), ca.certificate().toPem());
        Files.write(dir.resolve("host.crt"), host.toPem());
        assertThat(nebulaCert("verify", "-ca", "other.crt", "-crt", "host.crt").status()).isNotZero();
        byte[] der = host.encoded();
        der[der.length - 5] ^= 0x10;
        Files.write(dir.resolve("tampered.crt"), NebulaPem.encode(NebulaPem.CERTIFICATE, der));
        assertThat(nebulaCert("verify", "-ca", "ca.crt", "-crt", "tampered.crt").status()).isNotZero();
    }

    @Test
    void keysCasAndCertificatesMadeByNebulaCertParseVerifyAndReEncodeIdentically() throws Exception {
        assertOk(nebulaCert("ca", "-name", "Their CA", "-ips", "10.50.0.0/16", "-groups", "a,b", "-duration", "100h"));
        assertOk(nebulaCert("sign", "-name", "generated", "-ip", "10.50.1.1/16", "-groups", "a", "-subnets", "10.60.0.0/24"));
        assertOk(nebulaCert("keygen", "-out-key", "k.key", "-out-pub", "k.pub"));
        assertOk(nebulaCert("sign", "-name", "frompub", "-ip", "10.50.1.2/16", "-in-pub", "k.pub", "-out-crt", "frompub.crt"));

        NebulaCaPool pool = NebulaCaPool.fromBundle(Files.readAllBytes(dir.resolve("ca.crt")));
        NebulaCertificateAuthority.load(Files.readAllBytes(dir.resolve("ca.crt")), Files.readAllBytes(dir.resolve("ca.key")),
                Clock.systemUTC());
        for (String[] pair : new String[][] {{"generated.crt", "generated.key"}, {"frompub.crt", "k.key"}}) {
            byte[] pem = Files.readAllBytes(dir.resolve(pair[0]));
            NebulaCertificate cert = NebulaCertificate.fromPem(pem);
            assertThat(cert.marshal()).isEqualTo(NebulaPem.decode(NebulaPem.CERTIFICATE, pem));
            assertThat(cert.toPem()).isEqualTo(pem);
            assertThat(pool.verify(cert, Instant.now())).isEqualTo(cert);
            HostKeyPair keys = HostKeys.fromPrivateKeyPem(Files.readAllBytes(dir.resolve(pair[1])));
            assertThat(keys.publicKey()).isEqualTo(cert.details().publicKey());
            assertThat(nebulaCert("print", "-json", "-path", pair[0]).stdout()).isEqualTo(cert.toJson() + "\n");
        }
        assertThat(NebulaPem.decodeX25519PublicKey(Files.readAllBytes(dir.resolve("k.pub"))))
                .isEqualTo(NebulaCertificate.fromPem(Files.readAllBytes(dir.resolve("frompub.crt"))).details().publicKey());
    }

    @Test
    void ourSignatureWithACaKeyMadeByNebulaCertVerifiesUnderNebulaCert() throws Exception {
        assertOk(nebulaCert("ca", "-name", "Their CA", "-ips", "10.50.0.0/16", "-groups", "a,b"));
        NebulaCertificateAuthority theirs = NebulaCertificateAuthority.load(Files.readAllBytes(dir.resolve("ca.crt")),
                Files.readAllBytes(dir.resolve("ca.key")), Clock.systemUTC());
        HostKeyPair keys = HostKeys.generate(RANDOM);
        NebulaCertificate host = theirs.sign(new NebulaCertificateAuthority.SignRequest(keys.publicKey(), "ours",
                Ipv4Interface.parse("10.50.3.4/16"), List.of("b"), List.of(), null));
        Files.write(dir.resolve("ours.crt"), host.toPem());
        assertOk(nebulaCert("verify", "-ca", "ca.crt", "-crt", "ours.crt"));
        // and nebula-cert signs with the key we export from a CA of ours
        NebulaCertificateAuthority ca = ourCa();
        Files.write(dir.resolve("our-ca.crt"), ca.certificate().toPem());
        Files.write(dir.resolve("our-ca.key"), ca.exportPrivateKey());
        assertOk(nebulaCert("sign", "-ca-crt", "our-ca.crt", "-ca-key", "our-ca.key", "-name", "theirs",
                "-ip", "10.42.5.5/16", "-groups", "ops"));
        assertThat(ca.verify(Files.readAllBytes(dir.resolve("theirs.crt")), Instant.now()).name()).isEqualTo("theirs");
    }

    @Test
    void nebulaTestAcceptsAConfigUsingOnlyOurCaCertificateAndKey() throws Exception {
        Path nebula = NebulaBinaries.require("nebula");
        NebulaCertificateAuthority ca = ourCa();
        HostKeyPair keys = HostKeys.generate(RANDOM);
        NebulaCertificate host = ca.sign(new NebulaCertificateAuthority.SignRequest(keys.publicKey(), "node1",
                Ipv4Interface.parse("10.42.0.1/16"), List.of("workers"), List.of(), Duration.ofDays(1)));
        Files.write(dir.resolve("ca.crt"), ca.bundlePem());
        Files.write(dir.resolve("host.crt"), host.toPem());
        Files.write(dir.resolve("host.key"), NebulaPem.encodeX25519PrivateKey(keys.privateKey()));
        Files.write(dir.resolve("wrong.key"), NebulaPem.encodeX25519PrivateKey(HostKeys.generate(RANDOM).privateKey()));
        Files.writeString(dir.resolve("config.yml"), config("host.key"));
        Files.writeString(dir.resolve("wrong.yml"), config("wrong.key"));

        NebulaBinaries.Run good = NebulaBinaries.run(dir, nebula, "-test", "-config", "config.yml");
        assertOk(good);
        assertThat(good.stdout() + good.stderr()).contains("network=10.42.0.1/16");
        // the same check fails when the key does not belong to the certificate
        NebulaBinaries.Run bad = NebulaBinaries.run(dir, nebula, "-test", "-config", "wrong.yml");
        assertThat(bad.status()).isNotZero();
        assertThat(bad.stdout() + bad.stderr()).contains("not a pair");
    }

    private String config(String key) {
        return """
                pki:
                  ca: %s
                  cert: %s
                  key: %s
                static_host_map: {}
                lighthouse:
                  am_lighthouse: true
                listen:
                  host: 127.0.0.1
                  port: 4242
                tun:
                  disabled: true
                firewall:
                  outbound:
                    - port: any
                      proto: any
                      host: any
                  inbound:
                    - port: any
                      proto: any
                      group: workers
                """.formatted(dir.resolve("ca.crt"), dir.resolve("host.crt"), dir.resolve(key));
    }
}
