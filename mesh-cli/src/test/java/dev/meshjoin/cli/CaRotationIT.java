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
import dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider;
import dev.meshjoin.testkit.netns.NetnsHost;
import dev.meshjoin.testkit.netns.NetnsLab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CA rotation across four real nodes (meshctl up, nebula, namespaces, one file store): pings go on
 * while the bundle grows to two CAs and every daemon reloads it; retire is refused while old
 * certificates live and accepted once every node holds one of the new CA. Needs root and nebula.
 */
class CaRotationIT {
    private static final List<String> NODES = List.of("founder", "node-2", "node-3", "node-4");
    private static final String[] ARGS = {"--lighthouse-interval", "2s", "--lighthouse-target", "1"};

    @TempDir
    Path tmp;

    private MeshctlLab lab;

    @BeforeEach
    void needsRootAndNebula() {
        assumeTrue(NetnsLab.unavailableReason().isEmpty(), () -> "skipped: " + NetnsLab.unavailableReason().orElse(""));
        assumeTrue(MeshctlUpIT.onPath("nebula"), "skipped: the nebula binary is not on PATH (apt-get install nebula)");
    }

    @AfterEach
    void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    private Process up(int i) throws IOException {
        return lab.up(lab.host(i + 1), NODES.get(i), true, ARGS);
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
        for (String n : NODES) {
            assertThat(trustedByDaemon(n)).as(n + "'s nebula trusts").isEqualTo(cas);
        }
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

    private void restart(int i, Process running) throws Exception {
        String name = NODES.get(i);
        int from = lab.output(name).length();
        running.destroy();
        assertThat(running.waitFor(30, TimeUnit.SECONDS)).as(name + " stopped on SIGTERM").isTrue();
        up(i);
        lab.ready(name, from);
    }

    @Test
    void aRotatedCaIsTrustedEverywhereWhilePingsGoOnAndTheOldOneIsRetiredOnlyOnceUnused() throws Exception {
        lab = new MeshctlLab(4, tmp);
        Process[] running = new Process[4];
        running[0] = up(0);
        Ipv4Address[] addr = new Ipv4Address[4];
        addr[0] = lab.ready("founder");
        for (int i = 1; i < 4; i++) {
            running[i] = up(i);
        }
        for (int i = 1; i < 4; i++) {
            addr[i] = lab.ready(NODES.get(i));
        }
        assertThat(pingWithin(lab.host(3), addr[3], 20_000)).isTrue();
        String old = lab.record().caFingerprint();
        awaitTrusted(1);

        String next;
        try (PingLoop pings = new PingLoop(lab.host(3), addr[3])) {
            Run rotated = ca("ca", "rotate", "--store", lab.store(), "--network", "it");
            assertThat(rotated.status()).as(rotated.err()).isZero();
            next = lab.record().caFingerprint();
            assertThat(next).isNotEqualTo(old);
            awaitTrusted(2);
            Thread.sleep(2_000);
            pings.close();
            System.out.println("CaRotationIT: pings during the rotation: " + pings.sent + " sent, " + pings.lost + " lost");
            assertThat(pings.lost.get()).as(pings.lost + " of " + pings.sent + " lost").isLessThanOrEqualTo(1);
        }
        List<String> trusted = new NebulaCertificateAuthorityProvider().verifier(lab.record().caBundle()).trusted()
                .stream().map(HostCertificate::fingerprint).toList();
        assertThat(trusted).containsExactly(old, next);

        Run refused = ca("ca", "retire", "--store", lab.store(), "--network", "it", old);
        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.err()).contains("refused: 4 live certificates still need CA " + old);

        // Restarted, members join again under the new CA, the lighthouse re-issues its own; a node
        // on the new CA and one still on the old reach each other (both CAs are trusted).
        restart(2, running[2]);
        assertThat(issuer("node-3")).isEqualTo(next);
        assertThat(issuer("node-4")).isEqualTo(old);
        assertThat(pingWithin(lab.host(3), addr[3], 20_000)).as("node-3 (new CA) -> node-4 (old CA)").isTrue();
        assertThat(pingWithin(lab.host(4), addr[2], 20_000)).as("node-4 (old CA) -> node-3 (new CA)").isTrue();
        Run stillRefused = ca("ca", "retire", "--store", lab.store(), "--network", "it", old);
        assertThat(stillRefused.err()).contains("refused: 3 live certificates still need CA " + old);

        restart(1, running[1]);
        restart(3, running[3]);
        restart(0, running[0]);
        for (String n : NODES) {
            assertThat(issuer(n)).as(n).isEqualTo(next);
        }

        Run retired = ca("ca", "retire", "--store", lab.store(), "--network", "it", old);
        assertThat(retired.status()).as(retired.err()).isZero();
        assertThat(retired.out()).contains("retired CA " + old);
        awaitTrusted(1);
        for (int i = 1; i < 4; i++) {
            assertThat(pingWithin(lab.host(i + 1), addr[(i + 1) % 4], 20_000)).as(NODES.get(i) + " after retire").isTrue();
        }
    }
}
