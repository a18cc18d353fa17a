package dev.meshjoin.core.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.ForwardingBootstrapStore;
import dev.meshjoin.core.lifecycle.LivePresence;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.PresenceRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.state.Beat;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A lighthouse that stops takes its presence back: its record is written with nobody live, so
 * {@code meshctl members} stops counting its members as running at once, and a store that hangs
 * does not hold up the close.
 */
class PresenceCloseTest {
    private final MutableClock clock = MutableClock.startingNow();
    private final InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
    private final StoreKeys keys = StoreKeys.of("test");

    private PresenceRecord record() {
        return Json.read(store.get(keys.presence("lh")).orElseThrow().value(), PresenceRecord.class, "presence");
    }

    private static Beat beat(String node) {
        return new Beat(node, "fp-" + node, null, null, false);
    }

    @Test
    void closingWritesNobodyLiveAndNothingAfter() {
        LivePresence live = new LivePresence(store, keys, "lh", clock, Duration.ofMinutes(30), Duration.ofMinutes(1));
        live.seen("lh", Ipv4Address.parse("10.42.0.1"), beat("lh"));
        live.seen("n1", Ipv4Address.parse("10.42.0.2"), beat("n1"));
        assertThat(record().members()).extracting(PresenceRecord.Seen::node).containsExactly("lh", "n1");
        assertThat(PresenceView.running(List.of(record()), clock.instant(), Set.of())).containsKeys("lh", "n1");

        live.close(Duration.ofSeconds(5));
        assertThat(record().members()).isEmpty();
        assertThat(PresenceView.running(List.of(record()), clock.instant(), Set.of())).isEmpty();

        long writes = live.writes();
        String version = String.valueOf(store.get(keys.presence("lh")).orElseThrow().version());
        live.seen("n2", Ipv4Address.parse("10.42.0.3"), beat("n2"));
        clock.advance(Duration.ofHours(1));
        live.sweep();
        live.close(Duration.ofSeconds(5));
        assertThat(live.writes()).as("a poll in flight after close writes nothing").isEqualTo(writes);
        assertThat(String.valueOf(store.get(keys.presence("lh")).orElseThrow().version())).isEqualTo(version);
    }

    @Test
    void aLighthouseThatNeverWroteWritesNothingWhenItCloses() {
        LivePresence live = new LivePresence(store, keys, "lh", clock, Duration.ofMinutes(30), Duration.ofMinutes(1));
        live.close(Duration.ofSeconds(5));
        assertThat(store.operationCounts()).isEmpty();
        assertThat(store.get(keys.presence("lh"))).isEmpty();
    }

    @Test
    void aStoreThatHangsDoesNotHoldUpTheClose() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        boolean[] hang = {false};
        BootstrapStore hanging = new ForwardingBootstrapStore(store) {
            @Override
            public Optional<Entry> get(String key) {
                if (hang[0]) {
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.get(key);
            }
        };
        LivePresence live = new LivePresence(hanging, keys, "lh", clock, Duration.ofMinutes(30), Duration.ofMinutes(1));
        live.seen("n1", Ipv4Address.parse("10.42.0.2"), beat("n1"));
        hang[0] = true;
        long t0 = System.nanoTime();
        live.close(Duration.ofMillis(200));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(ms).as("close waited for the store at most about its bound").isLessThan(5_000);
        assertThat(record().members()).as("not written yet").hasSize(1);
        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!record().members().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(record().members()).as("the write went on in the background").isEmpty();
    }
}
