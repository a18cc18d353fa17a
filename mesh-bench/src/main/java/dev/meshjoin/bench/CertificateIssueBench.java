package dev.meshjoin.bench;

import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.net.Ipv4Interface;
import dev.meshjoin.nebula.cert.HostKeys;
import dev.meshjoin.nebula.cert.NebulaCertificate;
import dev.meshjoin.nebula.cert.NebulaCertificateAuthority;
import dev.meshjoin.nebula.cert.NebulaPem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Host certificates issued per second: in-process with {@link NebulaCertificateAuthority}, and the
 * same work done by running {@code nebula-cert sign -in-pub} once per certificate, as the original
 * system did. Each in-process issue signs and PEM-encodes a certificate for a given public key;
 * each nebula-cert run reads the CA and public key files, signs and writes the certificate.
 *
 * <pre>
 * ./mvnw -q -DskipTests package -pl mesh-bench -am
 * java -cp "mesh-bench/target/mesh-bench-0.1.0-SNAPSHOT.jar:mesh-bench/target/lib/*" \
 *     dev.meshjoin.bench.CertificateIssueBench [in-process count] [nebula-cert count]
 * </pre>
 *
 * Single-threaded on both sides. The in-process figure is after a warm-up of the same work.
 */
public final class CertificateIssueBench {
    private CertificateIssueBench() {
    }

    public static void main(String[] args) throws Exception {
        int inProcess = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int spawned = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        SecureRandom random = new SecureRandom();
        NebulaCertificateAuthority ca = NebulaCertificateAuthority.create(CaSpec.forNetwork("bench",
                Ipv4Cidr.parse("10.0.0.0/8"), Duration.ofDays(365)), Clock.systemUTC(), random);
        byte[] publicKey = HostKeys.generate(random).publicKey();
        Ipv4Address base = Ipv4Address.parse("10.0.0.1");

        long sink = 0;
        for (int i = 0; i < Math.max(5_000, inProcess / 4); i++) {
            sink += issue(ca, publicKey, base, i).length;
        }
        long start = System.nanoTime();
        for (int i = 0; i < inProcess; i++) {
            sink += issue(ca, publicKey, base, i).length;
        }
        double inProcessSeconds = (System.nanoTime() - start) / 1e9;

        Path dir = Files.createTempDirectory("cert-bench");
        Files.write(dir.resolve("ca.crt"), ca.certificate().toPem());
        Files.write(dir.resolve("ca.key"), ca.exportPrivateKey());
        Files.write(dir.resolve("host.pub"), NebulaPem.encodeX25519PublicKey(publicKey));
        start = System.nanoTime();
        for (int i = 0; i < spawned; i++) {
            Process p = new ProcessBuilder("nebula-cert", "sign", "-in-pub", "host.pub", "-name", "h" + i,
                    "-ip", new Ipv4Address(base.bits() + i) + "/8", "-out-crt", "h" + i + ".crt")
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("nebula-cert sign failed on run " + i);
            }
        }
        double spawnedSeconds = (System.nanoTime() - start) / 1e9;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);

        double ours = inProcess / inProcessSeconds;
        double theirs = spawned / spawnedSeconds;
        System.out.printf("in-process:        %d certificates in %.3f s = %,.0f certs/s (%.1f us each)%n",
                inProcess, inProcessSeconds, ours, inProcessSeconds * 1e6 / inProcess);
        System.out.printf("nebula-cert sign:  %d certificates in %.3f s = %,.1f certs/s (%.2f ms each)%n",
                spawned, spawnedSeconds, theirs, spawnedSeconds * 1e3 / spawned);
        System.out.printf("ratio:             %.0fx (checksum %d)%n", ours / theirs, sink);
    }

    private static byte[] issue(NebulaCertificateAuthority ca, byte[] publicKey, Ipv4Address base, int i) {
        NebulaCertificate cert = ca.sign(new NebulaCertificateAuthority.SignRequest(publicKey, "h" + i,
                new Ipv4Interface(new Ipv4Address(base.bits() + (i % 1_000_000)), 8), List.of("workers"), List.of(), null));
        return cert.toPem();
    }
}
