package dev.meshjoin.cli.nebula;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.net.Ipv4Interface;
import dev.meshjoin.nebula.cert.HostKeys;
import dev.meshjoin.nebula.cert.NebulaCaPool;
import dev.meshjoin.nebula.cert.NebulaCertificate;
import dev.meshjoin.nebula.cert.NebulaPem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificate commands in-process: ca, keygen, sign, print, verify and their refusals. */
class NebulaCertCommandsTest {
    @TempDir
    Path dir;

    private Cli.Result ok(String... args) {
        Cli.Result r = Cli.meshctl(dir, args);
        assertThat(r.status()).as("meshctl %s: %s", String.join(" ", args), r.err()).isZero();
        return r;
    }

    private String refused(String... args) {
        Cli.Result r = Cli.meshctl(dir, args);
        assertThat(r.status()).as("meshctl %s", String.join(" ", args)).isNotZero();
        assertThat(r.err()).hasLineCount(1);
        return r.err();
    }

    private NebulaCertificate cert(String file) throws Exception {
        return NebulaCertificate.fromPem(Files.readAllBytes(dir.resolve(file)));
    }

    @Test
    void caKeygenSignPrintVerify() throws Exception {
        ok("ca", "-name", "Mesh CA", "-ips", "10.42.0.0/16", "-groups", "workers, ops", "-duration", "48h");
        ok("keygen", "-out-key", "w.key", "-out-pub", "w.pub");
        ok("sign", "-name", "worker-7", "-ip", "10.42.0.7/16", "-groups", "workers", "-in-pub", "w.pub",
                "-subnets", "", "-duration", "1h");
        for (String f : new String[] {"ca.key", "ca.crt", "w.key", "w.pub", "worker-7.crt"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f)))).as(f).isEqualTo("rw-------");
        }
        NebulaCertificate ca = cert("ca.crt");
        assertThat(ca.details().groups()).containsExactly("workers", "ops");
        assertThat(Duration.between(ca.details().notBefore(), ca.details().notAfter())).isEqualTo(Duration.ofHours(48));
        NebulaCertificate host = cert("worker-7.crt");
        assertThat(host.details().name()).isEqualTo("worker-7");
        assertThat(host.details().ips()).containsExactly(Ipv4Interface.parse("10.42.0.7/16"));
        assertThat(Duration.between(host.details().notBefore(), host.details().notAfter())).isEqualTo(Duration.ofHours(1));
        byte[] priv = NebulaPem.decodeX25519PrivateKey(Files.readAllBytes(dir.resolve("w.key")));
        assertThat(host.details().publicKey()).isEqualTo(HostKeys.publicKeyOf(priv));
        assertThat(NebulaCaPool.fromBundle(Files.readAllBytes(dir.resolve("ca.crt"))).verify(host, Instant.now())).isEqualTo(host);

        assertThat(ok("verify", "-ca", "ca.crt", "-crt", "worker-7.crt").out()).isEmpty();
        assertThat(ok("print", "-path", "worker-7.crt", "-json").out()).isEqualTo(host.toJson() + "\n");
        assertThat(ok("print", "-path", "worker-7.crt").out()).isEqualTo(host.toText() + "\n");
    }

    @Test
    void signWithoutInPubWritesAKeyNamedAfterTheHostAndDefaultsToTheCaExpiry() throws Exception {
        ok("ca", "-name", "CA");
        ok("sign", "-name", "h1", "-ip", "10.1.2.3/24");
        NebulaCertificate host = cert("h1.crt");
        byte[] priv = NebulaPem.decodeX25519PrivateKey(Files.readAllBytes(dir.resolve("h1.key")));
        assertThat(host.details().publicKey()).isEqualTo(HostKeys.publicKeyOf(priv));
        assertThat(host.details().notAfter()).isEqualTo(cert("ca.crt").details().notAfter().minusSeconds(1));
    }

    @Test
    void refusalsAreOneLineAndNothingIsOverwritten() throws Exception {
        ok("ca", "-name", "CA", "-ips", "10.42.0.0/16", "-groups", "workers");
        byte[] caKey = Files.readAllBytes(dir.resolve("ca.key"));
        assertThat(refused("ca", "-name", "again")).contains("refusing to overwrite existing CA key");
        assertThat(Files.readAllBytes(dir.resolve("ca.key"))).isEqualTo(caKey);

        assertThat(refused("sign", "-name", "h", "-ip", "10.99.0.1/16")).contains("10.99.0.1/16 lies outside");
        assertThat(refused("sign", "-name", "h", "-ip", "10.42.0.1/16", "-groups", "admins")).contains("group 'admins'");
        assertThat(refused("sign", "-name", "h", "-ip", "10.42.0.1/16", "-duration", "9000h")).contains("after its CA");
        assertThat(refused("sign", "-name", "h", "-ip", "10.42.0.1")).contains("10.42.0.7/16");
        assertThat(refused("sign", "-name", "h", "-ip", "10.42.0.1/16", "-in-pub", "x.pub", "-out-key", "y.key"))
                .contains("cannot set both -in-pub and -out-key");
        assertThat(refused("sign", "-ip", "10.42.0.1/16")).contains("-name is required");
        assertThat(refused("sign", "-name", "h", "-ip", "10.42.0.1/16", "-ca-crt", "missing.crt")).contains("does not exist");
        assertThat(dir.resolve("h.crt")).doesNotExist();
        assertThat(dir.resolve("h.key")).doesNotExist();

        ok("sign", "-name", "h", "-ip", "10.42.0.1/16");
        byte[] crt = Files.readAllBytes(dir.resolve("h.crt"));
        assertThat(refused("sign", "-name", "h", "-ip", "10.42.0.2/16")).contains("refusing to overwrite");
        assertThat(Files.readAllBytes(dir.resolve("h.crt"))).isEqualTo(crt);
    }

    @Test
    void verifyRefusesAForeignCaATamperedCertAndGarbage() throws Exception {
        ok("ca", "-name", "A");
        ok("ca", "-name", "B", "-out-crt", "b.crt", "-out-key", "b.key");
        ok("sign", "-name", "h", "-ip", "10.42.0.1/16", "-ca-crt", "b.crt", "-ca-key", "b.key");
        assertThat(refused("verify", "-ca", "ca.crt", "-crt", "h.crt")).contains("not a trusted CA");

        NebulaCertificate h = cert("h.crt");
        byte[] der = h.encoded();
        der[der.length - 1] ^= 0x01; // last signature byte
        Files.write(dir.resolve("t.crt"), NebulaPem.encode(NebulaPem.CERTIFICATE, der));
        assertThat(refused("verify", "-ca", "b.crt", "-crt", "t.crt")).contains("signature");

        Files.writeString(dir.resolve("junk.crt"), "not a certificate");
        assertThat(refused("print", "-path", "junk.crt")).contains("no NEBULA CERTIFICATE PEM block");
        assertThat(refused("verify", "-ca", "ca.crt")).contains("-crt is required");
    }

    @Test
    void signWithANebulaCaKeyMismatchIsRefused() throws Exception {
        ok("ca", "-name", "A");
        ok("ca", "-name", "B", "-out-crt", "b.crt", "-out-key", "b.key");
        assertThat(refused("sign", "-name", "h", "-ip", "10.1.1.1/24", "-ca-crt", "ca.crt", "-ca-key", "b.key"))
                .contains("does not belong");
    }
}
