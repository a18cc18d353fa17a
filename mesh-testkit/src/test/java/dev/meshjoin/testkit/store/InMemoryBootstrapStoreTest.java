package dev.meshjoin.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.testkit.time.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemoryBootstrapStoreTest {
    private final MutableClock clock = MutableClock.startingNow();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void eventualModeHidesOtherClientsWritesUntilTheDelayPasses() {
        InMemoryBootstrapStore root = InMemoryBootstrapStore.eventual(Duration.ofSeconds(2), clock);
        InMemoryBootstrapStore a = root.client("a");
        InMemoryBootstrapStore b = root.client("b");

        a.putIfAbsent("k", b("from-a"));
        assertThat(a.get("k")).isPresent();
        assertThat(b.get("k")).isEmpty();

        clock.advance(Duration.ofMillis(1999));
        assertThat(b.get("k")).isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(b.get("k").orElseThrow().value()).isEqualTo(b("from-a"));
    }

    @Test
    void eventualModeLetsTwoClientsBothWinAndTheLastWriterPrevails() {
        InMemoryBootstrapStore root = InMemoryBootstrapStore.eventual(Duration.ofSeconds(2), clock);
        InMemoryBootstrapStore a = root.client("a");
        InMemoryBootstrapStore b = root.client("b");

        assertThat(a.putIfAbsent("claim", b("a"))).isPresent();
        assertThat(b.putIfAbsent("claim", b("b"))).isPresent();
        clock.advance(Duration.ofSeconds(2));
        assertThat(a.get("claim").orElseThrow().value()).isEqualTo(b("b"));
        assertThat(b.get("claim").orElseThrow().value()).isEqualTo(b("b"));
    }

    @Test
    void injectedFailuresNameTheStoreAndOperationAndThenStop() {
        InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
        store.putIfAbsent("k", b("v"));
        store.failNext(2);
        assertThatThrownBy(() -> store.get("k")).isInstanceOf(StoreException.class)
                .hasMessageContaining("in-memory").hasMessageContaining("get k");
        assertThatThrownBy(() -> store.putIfAbsent("k2", b("v"))).isInstanceOf(StoreException.class)
                .satisfies(e -> assertThat(((StoreException) e).retryable()).isTrue());
        assertThat(store.get("k2")).isEmpty();
        assertThat(store.get("k").map(Entry::value)).contains(b("v"));
    }

    @Test
    void failWhenTargetsOneOperation() {
        InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
        store.failWhen("compareAndSet"::equals);
        Entry e = store.putIfAbsent("k", b("v")).orElseThrow();
        assertThatThrownBy(() -> store.compareAndSet("k", e.version(), b("w"))).isInstanceOf(StoreException.class);
        store.failWhen(null);
        assertThat(store.compareAndSet("k", e.version(), b("w"))).isPresent();
    }

    @Test
    void countsOperations() {
        InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
        store.putIfAbsent("k", b("v"));
        store.get("k");
        store.get("k");
        store.list("");
        assertThat(store.operationCounts()).containsEntry("get", 2L).containsEntry("putIfAbsent", 1L)
                .containsEntry("list", 1L);
    }

    @Test
    void entryToStringNeverShowsTheValue() {
        Entry e = new Entry("mesh/x/ca-key", b("super-secret"), 1);
        assertThat(e.toString()).doesNotContain("super-secret").contains("12 bytes");
    }
}
