package dev.meshjoin.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Interface;
import dev.meshjoin.api.overlay.Lighthouse;
import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.core.lifecycle.RunningOverlay.Source;
import dev.meshjoin.testkit.overlay.InMemoryOverlayDriver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The follower (blocklist, certificate, the document's lighthouses and CA bundle) and the lighthouse
 * watch (the record's lighthouses and CA bundle) change the same overlay through its one owner:
 * none may undo another's change, and nothing it renders restarts the daemon.
 */
class RunningOverlayTest {
    private static final byte[] CA_1 = bytes("ca-1");
    private static final byte[] CA_12 = bytes("ca-1ca-2");

    private static OverlayConfig started() {
        return OverlayConfig.builder().nodeName("worker-7").address(Ipv4Interface.parse("10.42.0.7/16"))
                .certificatePem(bytes("cert-1")).privateKey(bytes("key")).caBundlePem(CA_1)
                .lighthouses(List.of(lighthouse(1))).listenPort(0).stateDirectory(Path.of("/tmp/unused")).build();
    }

    private static Lighthouse lighthouse(int i) {
        return new Lighthouse("lh-" + (char) ('a' + i / 26) + (char) ('a' + i % 26), Ipv4Address.parse("10.42.1." + i),
                List.of(Endpoint.parse("192.0.2." + i + ":4242")));
    }

    private static List<Lighthouse> lighthouses(int... ids) {
        List<Lighthouse> l = new ArrayList<>();
        for (int i : ids) {
            l.add(lighthouse(i));
        }
        return l;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static RunningOverlay running(InMemoryOverlayDriver driver) {
        OverlayConfig first = started();
        driver.start(first);
        return new RunningOverlay(driver, first);
    }

    @Test
    void eachChangeKeepsTheOtherParts() {
        InMemoryOverlayDriver driver = new InMemoryOverlayDriver();
        RunningOverlay overlay = running(driver);

        assertThat(overlay.blocklist(List.of("revoked-fp"))).isTrue();
        assertThat(overlay.network(Source.NETWORK_RECORD, lighthouses(1, 2), CA_12)).isTrue();
        assertThat(overlay.certificate(bytes("cert-2"))).isTrue();
        assertThat(overlay.blocklist(List.of("revoked-fp", "another-fp"))).isTrue();

        OverlayConfig now = driver.current().orElseThrow();
        assertThat(now.blocklist()).containsExactly("another-fp", "revoked-fp");
        assertThat(now.caBundlePem()).isEqualTo(CA_12);
        assertThat(now.certificatePem()).isEqualTo(bytes("cert-2"));
        assertThat(now.lighthouses()).isEqualTo(lighthouses(1, 2));
        assertThat(overlay.config()).isEqualTo(now);
        assertThat(driver.reloadedConfigs()).hasSize(4);
        assertThat(overlay.reloads()).isEqualTo(4);
    }

    @Test
    void whatChangesNothingIsNotReloaded() {
        InMemoryOverlayDriver driver = new InMemoryOverlayDriver();
        RunningOverlay overlay = running(driver);

        assertThat(overlay.certificate(bytes("cert-1"))).isFalse();
        assertThat(overlay.blocklist(List.of())).isFalse();
        assertThat(overlay.network(Source.STATE_DOCUMENT, lighthouses(1), CA_1)).isFalse();
        assertThat(overlay.blocklist(List.of("b", "a"))).isTrue();
        assertThat(overlay.blocklist(List.of("a", "b", "a"))).as("the same set in another order").isFalse();
        assertThat(overlay.network(Source.NETWORK_RECORD, lighthouses(3, 1), CA_1)).isTrue();
        assertThat(overlay.network(Source.STATE_DOCUMENT, lighthouses(1, 3), CA_1)).as("the same lighthouses by name").isFalse();
        assertThat(driver.reloadedConfigs()).hasSize(2);
    }

    @Test
    void aLaggingSourceNeverUndoesTheOthersChange() {
        InMemoryOverlayDriver driver = new InMemoryOverlayDriver();
        RunningOverlay overlay = running(driver);

        // The watch read a record with a second lighthouse and a rotated CA...
        assertThat(overlay.network(Source.NETWORK_RECORD, lighthouses(1, 2), CA_12)).isTrue();
        // ...while the lighthouse's document still has the old network, and a revocation: only the blocklist moves.
        assertThat(overlay.network(Source.STATE_DOCUMENT, lighthouses(1), CA_1)).isFalse();
        assertThat(overlay.blocklist(List.of("revoked-fp"))).isTrue();
        assertThat(overlay.config().lighthouses()).isEqualTo(lighthouses(1, 2));
        assertThat(overlay.config().caBundlePem()).isEqualTo(CA_12);
        // The document catches up: nothing to do. Then it is the first to see a third lighthouse.
        assertThat(overlay.network(Source.STATE_DOCUMENT, lighthouses(2, 1), CA_12)).isFalse();
        assertThat(overlay.network(Source.STATE_DOCUMENT, lighthouses(1, 2, 3), CA_12)).isTrue();
        // The record, read again unchanged, does not take the third away.
        assertThat(overlay.network(Source.NETWORK_RECORD, lighthouses(1, 2), CA_12)).isFalse();
        assertThat(overlay.config().lighthouses()).isEqualTo(lighthouses(1, 2, 3));
        assertThat(overlay.config().blocklist()).containsExactly("revoked-fp");
    }

    @Test
    void aReportWithoutALighthouseNeverDropsItButAMovedOneIsTaken() {
        InMemoryOverlayDriver driver = new InMemoryOverlayDriver();
        RunningOverlay overlay = running(driver);
        assertThat(overlay.network(Source.STATE_DOCUMENT, lighthouses(1, 2), CA_1)).isTrue();
        // The other lighthouse's document, read before the second lighthouse came: nothing to drop.
        assertThat(overlay.network(Source.STATE_DOCUMENT, lighthouses(1), CA_1)).isFalse();
        assertThat(overlay.network(Source.NETWORK_RECORD, lighthouses(1), CA_1)).isFalse();
        assertThat(overlay.config().lighthouses()).isEqualTo(lighthouses(1, 2));
        // The first lighthouse restarted at another endpoint.
        Lighthouse moved = new Lighthouse(lighthouse(1).name(), lighthouse(1).overlayAddress(),
                List.of(Endpoint.parse("198.51.100.1:4242")));
        assertThat(overlay.network(Source.STATE_DOCUMENT, List.of(moved), CA_1)).isTrue();
        assertThat(overlay.config().lighthouses()).containsExactly(moved, lighthouse(2));
    }

    @Test
    void noRenderedChangeTouchesWhatWouldRestartTheDaemon() {
        InMemoryOverlayDriver driver = new InMemoryOverlayDriver();
        RunningOverlay overlay = running(driver);
        overlay.certificate(bytes("cert-2"));
        overlay.network(Source.NETWORK_RECORD, lighthouses(1, 2), CA_12);
        overlay.blocklist(List.of("fp"));
        OverlayConfig base = started();
        for (OverlayConfig c : driver.reloadedConfigs()) {
            assertThat(c.address()).isEqualTo(base.address());
            assertThat(c.listenPort()).isEqualTo(base.listenPort());
            assertThat(c.lighthouse()).isEqualTo(base.lighthouse());
            assertThat(c.privateKey()).isEqualTo(base.privateKey());
            assertThat(c.nodeName()).isEqualTo(base.nodeName());
        }
    }

    @Test
    void concurrentChangesFromEverySourceAreAllKept() throws Exception {
        InMemoryOverlayDriver driver = new InMemoryOverlayDriver();
        RunningOverlay overlay = running(driver);
        int rounds = 200;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?> follower = pool.submit(() -> {
                go.await();
                List<String> blocked = new ArrayList<>();
                for (int i = 0; i < rounds; i++) {
                    blocked.add("fp-" + i);
                    overlay.blocklist(blocked);
                }
                return null;
            });
            Future<?> watch = pool.submit(() -> {
                go.await();
                List<Lighthouse> known = new ArrayList<>(lighthouses(1));
                for (int i = 2; i < 2 + rounds; i++) {
                    known.add(lighthouse(i));
                    overlay.network(Source.NETWORK_RECORD, known, CA_12);
                }
                return null;
            });
            Future<?> renewals = pool.submit(() -> {
                go.await();
                for (int i = 0; i < rounds; i++) {
                    overlay.certificate(bytes("cert-" + (i + 2)));
                }
                return null;
            });
            go.countDown();
            follower.get();
            watch.get();
            renewals.get();
        } finally {
            pool.shutdownNow();
        }
        OverlayConfig now = driver.current().orElseThrow();
        assertThat(now.blocklist()).hasSize(rounds);
        assertThat(now.lighthouses()).hasSize(1 + rounds);
        assertThat(now.caBundlePem()).isEqualTo(CA_12);
        assertThat(now.certificatePem()).isEqualTo(bytes("cert-" + (rounds + 1)));
        assertThat(driver.reloadedConfigs()).hasSize(3 * rounds);
    }
}
