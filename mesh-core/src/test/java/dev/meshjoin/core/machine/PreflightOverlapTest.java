package dev.meshjoin.core.machine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.api.overlay.OverlayDriver;
import dev.meshjoin.api.overlay.OverlayException;
import dev.meshjoin.api.overlay.OverlayHealth;
import dev.meshjoin.api.overlay.OverlayListener;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.ForwardingBootstrapStore;
import dev.meshjoin.core.AesGcmTestCodec;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.core.testing.MeshHarness;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.overlay.InMemoryOverlayDriver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * DISCOVERING checks the overlay while it reads the network record (on a cold start the read waits
 * for the secret's PBKDF2): the two overlap, and each one's failure still reaches the user.
 */
class PreflightOverlapTest {

    /** An in-memory overlay whose preflight runs a given action. */
    private static final class CheckedOverlay implements OverlayDriver {
        private final InMemoryOverlayDriver d = new InMemoryOverlayDriver();
        private final Runnable check;

        CheckedOverlay(Runnable check) {
            this.check = check;
        }

        @Override public void preflight(Endpoint listen, Path stateDirectory) { check.run(); }
        @Override public void start(OverlayConfig config) { d.start(config); }
        @Override public void reload(OverlayConfig config) { d.reload(config); }
        @Override public OverlayHealth health() { return d.health(); }
        @Override public boolean awaitUp(Duration timeout) throws InterruptedException { return d.awaitUp(timeout); }
        @Override public void addListener(OverlayListener listener) { d.addListener(listener); }
        @Override public void stop() { d.stop(); }
    }

    /** A store view whose reads of the network record run a given action first. */
    private static BootstrapStore readingNetwork(BootstrapStore store, Runnable beforeRead) {
        return new ForwardingBootstrapStore(store) {
            @Override
            public Optional<Entry> get(String key) {
                if (key.endsWith("/network")) {
                    beforeRead.run();
                }
                return super.get(key);
            }
        };
    }

    private static void await(CountDownLatch latch, String what) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException(what + " did not happen within 10 s: the two ran one after the other");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static MeshHarness harness() {
        AesGcmTestCodec codec = AesGcmTestCodec.random();
        return MeshHarness.builder().caProvider(new TestDoubleCertificateAuthorityProvider(Clock.systemUTC()))
                .caKeyCodec(salt -> codec).build();
    }

    @Test
    void theOverlayIsCheckedWhileTheNetworkRecordIsRead() throws Exception {
        try (MeshHarness mesh = harness()) {
            assertThat(mesh.node("founder").join().state()).isEqualTo(NodeState.READY);
            CountDownLatch checking = new CountDownLatch(1);
            CountDownLatch reading = new CountDownLatch(1);
            // Each side waits until the other has begun: done one after the other, the first would time out.
            MeshNode joiner = mesh.node("joiner", b -> b
                    .overlay(new CheckedOverlay(() -> {
                        checking.countDown();
                        await(reading, "the record's read");
                    }))
                    .store(readingNetwork(mesh.store().client("joiner"), () -> {
                        reading.countDown();
                        await(checking, "the overlay's check");
                    })));
            NodeStatus status = joiner.join();
            assertThat(status.state()).as(status.detail()).isEqualTo(NodeState.READY);
        }
    }

    @Test
    void aFailedOverlayCheckEndsTheJoinWithItsOwnMessageAndWritesNothing() throws Exception {
        try (MeshHarness mesh = harness()) {
            assertThat(mesh.node("founder").join().state()).isEqualTo(NodeState.READY);
            long keysBefore = mesh.store().client("probe").list("mesh/test/").size();
            MeshNode joiner = mesh.node("joiner", b -> b.overlay(new CheckedOverlay(() -> {
                throw new OverlayException("nebula is not installed here; install it (apt install nebula)");
            })));
            NodeStatus status = joiner.join();
            // An overlay that cannot run here is the FALLBACK outcome (exit 3 of meshctl up), as before.
            assertThat(status.state()).as(status.detail()).isEqualTo(NodeState.FALLBACK);
            assertThat(status.detail()).contains("nebula is not installed here");
            assertThat(mesh.store().client("probe").list("mesh/test/")).hasSize((int) keysBefore);
        }
    }

    @Test
    void whenTheStoreAndTheOverlayBothFailTheStoresAnswerIsTheOneTheUserHears() throws Exception {
        try (MeshHarness mesh = harness()) {
            assertThat(mesh.node("founder").join().state()).isEqualTo(NodeState.READY);
            BootstrapStore raw = mesh.store().client("vandal");
            Entry network = raw.get("mesh/test/network").orElseThrow();
            String tampered = new String(network.value(), StandardCharsets.UTF_8).replace("\"cidr\"", "\"cidr \"");
            assertThat(raw.compareAndSet("mesh/test/network", network.version(),
                    tampered.getBytes(StandardCharsets.UTF_8))).isPresent();
            MeshNode joiner = mesh.node("joiner", b -> b.overlay(new CheckedOverlay(() -> {
                throw new OverlayException("nebula is not installed here");
            })));
            NodeStatus status = joiner.join();
            assertThat(status.state()).isEqualTo(NodeState.FAILED);
            assertThat(status.detail()).contains("mesh/test/network").doesNotContain("nebula is not installed");
            assertThat(status.cause()).get().satisfies(e -> assertThat(e.getSuppressed())
                    .anySatisfy(s -> assertThat(s).hasMessageContaining("nebula is not installed")));
        }
    }
}
