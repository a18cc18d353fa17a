package dev.meshjoin.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Interface;
import dev.meshjoin.api.overlay.Lighthouse;
import dev.meshjoin.api.overlay.OverlayConfig;
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
 * The follower (blocklist, certificate) and the lighthouse watch (lighthouses, CA bundle) reload
 * the same overlay: neither may undo the other's change.
 */
class RunningOverlayTest {
    private static OverlayConfig started() {
        return OverlayConfig.builder().nodeName("worker-7").address(Ipv4Interface.parse("10.42.0.7/16"))
                .certificatePem(bytes("cert-1")).privateKey(bytes("key")).caBundlePem(bytes("ca-1"))
                .lighthouses(List.of(lighthouse(1))).stateDirectory(Path.of("/tmp/unused")).build();
    }

    private static Lighthouse lighthouse(int i) {
        return new Lighthouse("lh-" + i, Ipv4Address.parse("10.42.0." + i), List.of(Endpoint.parse("192.0.2." + i + ":4242")));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void eachChangeStartsFromTheLastReloadedConfiguration() {
        InMemoryOverlayDriver driver = new InMemoryOverlayDriver();
        OverlayConfig first = started();
        driver.start(first);
        RunningOverlay overlay = new RunningOverlay(driver, first);

        assertThat(overlay.update(c -> c.toBuilder().blocklist(List.of("revoked-fp")).build())).isTrue();
        assertThat(overlay.update(c -> c.toBuilder().caBundlePem(bytes("ca-1ca-2")).build())).isTrue();
        assertThat(overlay.update(c -> c.toBuilder().certificatePem(bytes("cert-2")).build())).isTrue();

        OverlayConfig now = driver.current().orElseThrow();
        assertThat(now.blocklist()).containsExactly("revoked-fp");
        assertThat(now.caBundlePem()).isEqualTo(bytes("ca-1ca-2"));
        assertThat(now.certificatePem()).isEqualTo(bytes("cert-2"));
        assertThat(overlay.config()).isEqualTo(now);
        assertThat(driver.reloadedConfigs()).hasSize(3);
    }

    @Test
    void anUnchangedConfigurationIsNotReloaded() {
        InMemoryOverlayDriver driver = new InMemoryOverlayDriver();
        OverlayConfig first = started();
        driver.start(first);
        RunningOverlay overlay = new RunningOverlay(driver, first);

        assertThat(overlay.update(c -> c.toBuilder().build())).isFalse();
        assertThat(overlay.update(c -> null)).isFalse();
        assertThat(driver.reloadedConfigs()).isEmpty();
    }

    @Test
    void concurrentChangesAreAllKept() throws Exception {
        InMemoryOverlayDriver driver = new InMemoryOverlayDriver();
        OverlayConfig first = started();
        driver.start(first);
        RunningOverlay overlay = new RunningOverlay(driver, first);
        int perThread = 200;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> blocker = pool.submit(() -> {
                go.await();
                for (int i = 0; i < perThread; i++) {
                    String fp = "fp-" + i;
                    overlay.update(c -> {
                        List<String> b = new ArrayList<>(c.blocklist());
                        b.add(fp);
                        return c.toBuilder().blocklist(b).build();
                    });
                }
                return null;
            });
            Future<?> watcher = pool.submit(() -> {
                go.await();
                for (int i = 2; i < 2 + perThread; i++) {
                    Lighthouse added = lighthouse(i % 250 + 2);
                    overlay.update(c -> {
                        List<Lighthouse> l = new ArrayList<>(c.lighthouses());
                        l.add(added);
                        return c.toBuilder().lighthouses(l).build();
                    });
                }
                return null;
            });
            go.countDown();
            blocker.get();
            watcher.get();
        } finally {
            pool.shutdownNow();
        }
        OverlayConfig now = driver.current().orElseThrow();
        assertThat(now.blocklist()).hasSize(perThread);
        assertThat(now.lighthouses()).hasSize(1 + perThread);
        assertThat(driver.reloadedConfigs()).hasSize(2 * perThread);
    }
}
