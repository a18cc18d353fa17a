package dev.meshjoin.cli;

import static dev.meshjoin.cli.MeshctlLab.pingWithin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.MemberRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.store.BootstrapStores;
import dev.meshjoin.nebula.cert.NebulaCertificate;
import dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider;
import dev.meshjoin.testkit.netns.NetnsHost;
import dev.meshjoin.testkit.netns.NetnsLab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * CA rotation across four real nodes (meshctl up, nebula, namespaces, one file store): pings go on
 * while the bundle grows to two CAs and every daemon reloads it, renewals move every node to the new
 * CA with no daemon restarted, retire is refused with the count while nodes hold certificates of the
 * old CA and accepted once every node renewed under the new one. Needs root and nebula.
 */
class CaRotationIT {
    private static final List<String> NODES = List.of("founder", "node-2", "node-3", "node-4");
    /**
     * Two-minute certificates, so that renewals (at two thirds of a lifetime) move the nodes to the
     * new CA within the test; one lighthouse.
     */
    private static final String[] ARGS = {"--lighthouse-interval", "2s", "--lighthouse-target", "1",
        "--cert-validity", "2m"};

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    private MeshctlLab lab;

    @BeforeEach
    void needsRootAndNebula() {
        assumeTrue(NetnsLab.unavailableReason().isEmpty(), () -> "skipped: " + NetnsLab.unavailableReason().orElse(""));
        assumeTrue(MeshctlLab.onPath("nebula"), "skipped: the nebula binary is not on PATH (apt-get install nebula)");
    }

    @AfterEach
    void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    /**
     * The founder and node-2 may serve (public endpoint, CA passphrase: they follow the network record
     * too); node-3 and node-4 are members that follow only the lighthouse's state document.
     */
    private Process up(int i) throws IOException {
        return lab.up(lab.host(i + 1), NODES.get(i), i < 2, ARGS);
    }

    /** How many CAs the node's running Nebula trusts (its ca.crt). */
    private int trustedByDaemon(String node) {
        Path ca = tmp.resolve(node).resolve("overlay").resolve("ca.crt");
        try {
            return (int) Files.readString(ca, StandardCharsets.US_ASCII).lines()
                    .filter(l -> l.startsWith("-----BEGIN NEBULA CERTIFICATE")).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void awaitTrusted(int cas) throws InterruptedException {
        long until = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < until && !NODES.stream().allMatch(n -> trustedByDaemon(n) == cas)) {
            Thread.sleep(200);
        }
        Map<String, Integer> trusted = new TreeMap<>();
        NODES.forEach(n -> trusted.put(n, trustedByDaemon(n)));
        for (String n : NODES) {
            // On a failure, every node's count and this node's own account of what it did.
            assertThat(trustedByDaemon(n)).as(() -> n + "'s nebula trusts (all: " + trusted + "); " + n + " printed:\n"
                    + tail(lab.output(n), 60)).isEqualTo(cas);
        }
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private String issuer(String node) {
        try (BootstrapStore s = BootstrapStores.open(lab.store())) {
            StoreKeys keys = StoreKeys.of("it");
            return s.get(keys.member(node)).map(e -> Json.read(e.value(), MemberRecord.class, e.key()).issuer())
                    .orElseThrow();
        }
    }

    private Run ca(String... args) {
        return Run.meshctl(tmp, Map.of("MESH_CA_PASSPHRASE", MeshctlLab.CA_PASSPHRASE), args);
    }

    /** Pings from one host to another about five times a second on a thread, counting the lost ones. */
    private static final class PingLoop implements AutoCloseable {
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger lost = new AtomicInteger();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        PingLoop(NetnsHost from, Ipv4Address to) {
            thread = new Thread(() -> {
                while (!stop.get()) {
                    sent.incrementAndGet();
                    if (!from.ping(to)) {
                        lost.incrementAndGet();
                    }
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "ping-loop");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(5_000);
        }
    }

    private String hostCertificate(String node, java.util.function.Function<NebulaCertificate, String> part) {
        try {
            return part.apply(NebulaCertificate.fromPem(Files.readAllBytes(tmp.resolve(node).resolve("host.crt"))));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Waits for {@code condition}, noting every node's certificate fingerprint meanwhile. */
    private void awaitWhileNoting(java.util.function.BooleanSupplier condition, long timeoutMillis, String what,
                                  Map<String, Set<String>> fingerprints) throws InterruptedException {
        long until = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            for (String n : NODES) {
                String fp = hostCertificate(n, NebulaCertificate::fingerprint);
                if (fp != null) {
                    fingerprints.computeIfAbsent(n, k -> new LinkedHashSet<>()).add(fp);
                }
            }
            if (condition.getAsBoolean()) {
                return;
            }
            assertThat(System.nanoTime() < until).as(what + " in time").isTrue();
            Thread.sleep(500);
        }
    }

    @Test
    void renewalsMoveEveryNodeToARotatedCaWithoutARestartWhilePingsGoOnAndTheOldOneIsRetiredOnlyOnceUnused()
            throws Exception {
        lab = new MeshctlLab(4, tmp);
        Ipv4Address[] addr = new Ipv4Address[4];
        up(0);
        addr[0] = lab.ready("founder");
        for (int i = 1; i < 4; i++) {
            up(i);
        }
        for (int i = 1; i < 4; i++) {
            addr[i] = lab.ready(NODES.get(i));
        }
        assertThat(pingWithin(lab.host(3), addr[3], 20_000)).isTrue();
        String old = lab.record().caFingerprint();
        awaitTrusted(1);
        Map<String, Long> pids = new TreeMap<>();
        for (int i = 0; i < 4; i++) {
            pids.put(NODES.get(i), MeshctlLab.nebulaPid(lab.host(i + 1)).orElseThrow());
        }

        Map<String, Set<String>> fingerprints = new TreeMap<>();
        String next;
        int sent;
        int lost;
        try (PingLoop pings = new PingLoop(lab.host(3), addr[3])) {
            Run rotated = ca("ca", "rotate", "--store", lab.store(), "--network", "it");
            assertThat(rotated.status()).as(rotated.err()).isZero();
            next = lab.record().caFingerprint();
            assertThat(next).isNotEqualTo(old);
            List<String> trusted = new NebulaCertificateAuthorityProvider().verifier(lab.record().caBundle()).trusted()
                    .stream().map(HostCertificate::fingerprint).toList();
            assertThat(trusted).containsExactly(old, next);

            Run refused = ca("ca", "retire", "--store", lab.store(), "--network", "it", old);
            assertThat(refused.status()).as(refused.out()).isEqualTo(1);
            Matcher count = Pattern.compile("refused: (\\d+) live certificates? still needs? CA " + old).matcher(refused.err());
            assertThat(count.find()).as(refused.err()).isTrue();
            assertThat(Integer.parseInt(count.group(1))).as("nodes still on the old CA").isBetween(1, 4);
            System.out.println("CaRotationIT: retire right after the rotation: " + refused.err().strip());

            // Every daemon reloads the two-CA bundle (SIGHUP); then renewals move each node to the new CA.
            awaitTrusted(2);
            awaitWhileNoting(() -> NODES.stream().allMatch(n -> next.equals(issuer(n))
                    && next.equals(hostCertificate(n, c -> c.details().issuer()))), 180_000,
                    "every node renewed under the new CA", fingerprints);
            for (String n : NODES) {
                assertThat(lab.output(n)).as(n).contains("renewed its certificate");
            }

            Run retired = ca("ca", "retire", "--store", lab.store(), "--network", "it", old);
            assertThat(retired.status()).as(retired.err()).isZero();
            assertThat(retired.out()).contains("retired CA " + old);
            awaitTrusted(1);
            // A few more seconds of pings with only the new CA trusted.
            long after = System.nanoTime() + 5_000_000_000L;
            awaitWhileNoting(() -> System.nanoTime() > after, 10_000, "pings after the retirement", fingerprints);
            pings.close();
            sent = pings.sent.get();
            lost = pings.lost.get();
        }
        int renewals = fingerprints.get("node-3").size() + fingerprints.get("node-4").size() - 2;
        System.out.printf("CaRotationIT: %d pings node-3 -> node-4 from the rotation to after the retirement, %d lost,"
                + " across %d renewals of the two ends; fingerprints seen: %s%n", sent, lost, renewals, fingerprints);
        assertThat(lost).as("at most one lost ping per renewal of either end").isLessThanOrEqualTo(Math.max(1, renewals));
        for (int i = 0; i < 4; i++) {
            assertThat(MeshctlLab.nebulaPid(lab.host(i + 1))).as(NODES.get(i) + "'s nebula was never restarted")
                    .contains(pids.get(NODES.get(i)));
        }
        for (int i = 1; i < 4; i++) {
            assertThat(pingWithin(lab.host(i + 1), addr[(i + 1) % 4], 20_000)).as(NODES.get(i) + " after retire").isTrue();
        }
    }
}
