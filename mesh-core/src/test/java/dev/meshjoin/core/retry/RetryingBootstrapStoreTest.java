package dev.meshjoin.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.retry.Deadline;
import dev.meshjoin.api.retry.RetryPolicy;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.core.ForwardingStore;
import dev.meshjoin.testkit.Concurrently;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryingBootstrapStoreTest {
    private static final RetryPolicy THREE_QUICK = RetryPolicy.exponential(Duration.ofMillis(1), Duration.ofMillis(2), 3);

    private final InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable();
    private final AtomicInteger calls = new AtomicInteger();
    private final BootstrapStore counted = new ForwardingStore(store) {
        @Override
        public Optional<Entry> get(String key) {
            calls.incrementAndGet();
            return delegate.get(key);
        }

        @Override
        public Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
            calls.incrementAndGet();
            return delegate.putIfAbsent(key, value, ttl);
        }
    };

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void retryableFailuresAreRetriedUntilAnAttemptSucceeds() {
        store.putIfAbsent("k", bytes("v"));
        store.failNext(2);

        Optional<Entry> got = RetryingBootstrapStore.wrap(counted, THREE_QUICK).get("k");

        assertThat(got.orElseThrow().text()).isEqualTo("v");
        assertThat(calls).hasValue(3);
    }

    @Test
    void afterTheLastAttemptTheLastFailureIsThrown() {
        store.failNext(10);

        assertThatThrownBy(() -> RetryingBootstrapStore.wrap(counted, THREE_QUICK).putIfAbsent("k", bytes("v"), null))
                .isInstanceOf(StoreException.class).hasMessageContaining("injected failure");
        assertThat(calls).hasValue(3);
        store.failNext(0);
        assertThat(store.get("k")).as("nothing was written").isEmpty();
    }

    @Test
    void aFailureThatIsNotRetryableIsThrownAtOnce() {
        BootstrapStore broken = new ForwardingStore(store) {
            @Override
            public Optional<Entry> get(String key) {
                calls.incrementAndGet();
                throw new StoreException(name(), "get " + key, "forbidden: check the API token", false);
            }
        };
        assertThatThrownBy(() -> RetryingBootstrapStore.wrap(broken, THREE_QUICK).get("k"))
                .hasMessageContaining("check the API token");
        assertThat(calls).hasValue(1);
    }

    @Test
    void noRetryWaitsPastTheCallersDeadline() {
        store.failNext(10);
        RetryPolicy slow = RetryPolicy.exponential(Duration.ofSeconds(5), Duration.ofSeconds(5), 5);
        try (Deadline.Scope scope = Deadline.after(Duration.ofMillis(200)).enter()) {
            assertThatThrownBy(() -> RetryingBootstrapStore.wrap(counted, slow).get("k"))
                    .isInstanceOf(StoreException.class);
        }
        assertThat(calls).as("a 5 s retry delay does not fit a 200 ms deadline").hasValue(1);
    }

    @Test
    void retriesNeverStack() {
        BootstrapStore once = RetryingBootstrapStore.wrap(store, THREE_QUICK);
        assertThat(RetryingBootstrapStore.wrap(once, THREE_QUICK)).isSameAs(once);
        BootstrapStore selfRetrying = new ForwardingStore(store) {
            @Override
            public boolean retriesItself() {
                return true;
            }
        };
        assertThat(RetryingBootstrapStore.wrap(selfRetrying, THREE_QUICK)).isSameAs(selfRetrying);
        assertThat(once.retriesItself()).isTrue();
    }

    @Test
    void theWrapperSpeaksForTheStoreItWraps() {
        BootstrapStore wrapped = RetryingBootstrapStore.wrap(store, THREE_QUICK);
        assertThat(wrapped.name()).isEqualTo(store.name());
        assertThat(wrapped.consistency()).isEqualTo(store.consistency());
        assertThat(wrapped.minTtl()).isEqualTo(store.minTtl());
        assertThat(wrapped.maxKeyBytes()).isEqualTo(store.maxKeyBytes());
        assertThat(((RetryingBootstrapStore) wrapped).delegate()).isSameAs(store);
    }

    @Test
    void concurrentCompareAndSetIncrementsThroughFailuresLoseNothing() throws Exception {
        BootstrapStore s = RetryingBootstrapStore.wrap(store, RetryPolicy.exponential(Duration.ZERO, Duration.ZERO, 50));
        s.putIfAbsent("counter", bytes("0"));
        store.failNext(40);

        Concurrently.run(8, i -> () -> {
            for (int n = 0; n < 50; n++) {
                while (true) {
                    Entry e = s.get("counter").orElseThrow();
                    int next = Integer.parseInt(e.text()) + 1;
                    if (s.compareAndSet("counter", e.version(), bytes(Integer.toString(next))).isPresent()) {
                        break;
                    }
                }
            }
            return null;
        });

        assertThat(store.get("counter").orElseThrow().text()).isEqualTo("400");
        assertThat(store.operationCounts().getOrDefault("compareAndSet", 0L)).isGreaterThanOrEqualTo(400L);
    }

    @Test
    void listAndDeleteAreRetriedToo() {
        Entry e = store.putIfAbsent("p/a", bytes("1")).orElseThrow();
        BootstrapStore s = RetryingBootstrapStore.wrap(store, THREE_QUICK);
        store.failNext(2);
        List<String> keys = s.list("p/").stream().map(kv -> kv.key()).toList();
        assertThat(keys).containsExactly("p/a");
        store.failNext(2);
        assertThat(s.delete("p/a", e.version())).isTrue();
        assertThat(store.get("p/a")).isEmpty();
    }
}
