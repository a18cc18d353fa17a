package dev.meshjoin.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.testkit.Concurrently;
import dev.meshjoin.testkit.store.CountingStore.Operation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CountingStoreTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void countsEachRequestByOperationAndPassesItsResultOn() {
        InMemoryBootstrapStore backing = InMemoryBootstrapStore.linearizable();
        CountingStore store = new CountingStore(backing);
        Entry first = store.putIfAbsent("k", b("1")).orElseThrow();
        assertThat(store.putIfAbsent("k", b("2"))).as("a lost race is a request too").isEmpty();
        assertThat(store.compareAndSet("k", first.version(), b("3"), Duration.ofHours(1))).isPresent();
        assertThat(store.get("k").orElseThrow().value()).isEqualTo(b("3"));
        assertThat(store.list("")).hasSize(1);
        assertThat(store.delete("k", first.version())).as("stale version").isFalse();
        assertThat(backing.get("k")).as("nothing changed behind the counts' back").isPresent();

        CountingStore.Counts c = store.counts();
        assertThat(c.of(Operation.PUT_IF_ABSENT)).isEqualTo(2);
        assertThat(c.of(Operation.COMPARE_AND_SET)).isEqualTo(1);
        assertThat(c.of(Operation.GET)).isEqualTo(1);
        assertThat(c.of(Operation.LIST)).isEqualTo(1);
        assertThat(c.of(Operation.DELETE)).isEqualTo(1);
        assertThat(c.reads()).isEqualTo(2);
        assertThat(c.writes()).isEqualTo(4);
        assertThat(store.consistency()).isEqualTo(backing.consistency());
    }

    @Test
    void aRequestThatFailsStillCounts() {
        CountingStore store = new CountingStore(InMemoryBootstrapStore.linearizable());
        assertThatThrownBy(() -> store.putIfAbsent("", b("x"))).isInstanceOf(StoreException.class);
        assertThat(store.counts().writes()).isEqualTo(1);
    }

    @Test
    void sharedCountsSumManyClientsUsedAtOnce() throws Exception {
        InMemoryBootstrapStore root = InMemoryBootstrapStore.linearizable();
        CountingStore.Counts shared = new CountingStore.Counts();
        int threads = 8;
        int each = 500;
        Concurrently.run(threads, i -> () -> {
            CountingStore client = new CountingStore(root.client("c" + i), shared);
            for (int n = 0; n < each; n++) {
                client.putIfAbsent("k" + i + "-" + n, b("v"));
                client.get("k" + i + "-" + n);
            }
            return null;
        });
        assertThat(shared.writes()).isEqualTo((long) threads * each);
        assertThat(shared.reads()).isEqualTo((long) threads * each);
        assertThat(root.list("k")).hasSize(threads * each);
    }
}
