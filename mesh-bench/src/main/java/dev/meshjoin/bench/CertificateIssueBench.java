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
import java.util.ArrayList;
import java.util.Collections;
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
 *     dev.meshjoin.bench.CertificateIssueBench [in-process per round, 5000] [nebula-cert per round, 20] [rounds, 5]
 * </pre>
 *
 * Single-threaded on both sides. The two are measured side by side in one run: after a warm-up,
 * {@code rounds} rounds each time a batch in-process and then a batch of nebula-cert runs, and the
 * ratio is printed per round and as the median over rounds.
 *
 * <p>Why the ratio varies from run to run (75x to 280x was seen): the nebula-cert side is almost
 * all process start-up (fork and exec of a Go binary, its runtime's start, reading three files,
 * writing one), a few milliseconds that depend on the scheduler, the page cache and whatever else
 * the machine runs at that moment; the in-process side is tens of microseconds of CPU that depend
 * on JIT state, GC and CPU frequency. Measured minutes apart, load changes move the two
 * differently; interleaved rounds put both under the same load and show the spread.
 */
public final class CertificateIssueBench {
    private CertificateIssueBench() {
    }

    public static void main(String[] args) throws Exception {
        int inProcess = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int spawned = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        SecureRandom random = new SecureRandom();
        NebulaCertificateAuthority ca = NebulaCertificateAuthority.create(CaSpec.forNetwork("bench",
                Ipv4Cidr.parse("10.0.0.0/8"), Duration.ofDays(365)), Clock.systemUTC(), random);
        byte[] publicKey = HostKeys.generate(random).publicKey();
        Ipv4Address base = Ipv4Address.parse("10.0.0.1");
        Path dir = Files.createTempDirectory("cert-bench");
        Files.write(dir.resolve("ca.crt"), ca.certificate().toPem());
        Files.write(dir.resolve("ca.key"), ca.exportPrivateKey());
        Files.write(dir.resolve("host.pub"), NebulaPem.encodeX25519PublicKey(publicKey));

        long sink = 0;
        for (int i = 0; i < 20_000; i++) {
            sink += issue(ca, publicKey, base, i).length;
        }
        spawn(dir, base, 0, 3); // the binary and the files in the page cache, as for every later run
        List<Double> ratios = new ArrayList<>();
        double ourTotal = 0;
        double theirTotal = 0;
        System.out.printf("%-6s %-22s %-22s %s%n", "round", "in-process certs/s", "nebula-cert certs/s", "ratio");
        for (int r = 1; r <= rounds; r++) {
            long start = System.nanoTime();
            for (int i = 0; i < inProcess; i++) {
                sink += issue(ca, publicKey, base, r * inProcess + i).length;
            }
            double ours = inProcess / ((System.nanoTime() - start) / 1e9);
            start = System.nanoTime();
            spawn(dir, base, r * spawned, spawned);
            double theirs = spawned / ((System.nanoTime() - start) / 1e9);
            ratios.add(ours / theirs);
            ourTotal += ours;
            theirTotal += theirs;
            System.out.printf("%-6d %,-22.0f %,-22.1f %.0fx%n", r, ours, theirs, ours / theirs);
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
        List<Double> sorted = new ArrayList<>(ratios);
        Collections.sort(sorted);
        System.out.printf("in-process:        %,.0f certs/s (%.1f us each), mean of %d rounds of %d%n", ourTotal / rounds,
                1e6 * rounds / ourTotal, rounds, inProcess);
        System.out.printf("nebula-cert sign:  %,.1f certs/s (%.2f ms each), mean of %d rounds of %d%n", theirTotal / rounds,
                1e3 * rounds / theirTotal, rounds, spawned);
        System.out.printf("ratio:             median %.0fx, min %.0fx, max %.0fx over %d rounds (checksum %d)%n",
                sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1), rounds, sink);
    }

    private static void spawn(Path dir, Ipv4Address base, int from, int count) throws Exception {
        for (int i = from; i < from + count; i++) {
            Process p = new ProcessBuilder("nebula-cert", "sign", "-in-pub", "host.pub", "-name", "h" + i,
                    "-ip", new Ipv4Address(base.bits() + i) + "/8", "-out-crt", "h" + i + ".crt")
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("nebula-cert sign failed on run " + i);
            }
        }
    }

    private static byte[] issue(NebulaCertificateAuthority ca, byte[] publicKey, Ipv4Address base, int i) {
        NebulaCertificate cert = ca.sign(new NebulaCertificateAuthority.SignRequest(publicKey, "h" + i,
                new Ipv4Interface(new Ipv4Address(base.bits() + (i % 1_000_000)), 8), List.of("workers"), List.of(), null));
        return cert.toPem();
    }
}
