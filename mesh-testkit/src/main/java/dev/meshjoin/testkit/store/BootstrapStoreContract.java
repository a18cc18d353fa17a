package dev.meshjoin.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.api.store.StoreLimitException;
import dev.meshjoin.testkit.time.MutableClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit every {@link BootstrapStore} runs to prove it honours the SPI. Extend it,
 * return a fresh, empty store from {@link #newStore()}, and run it with your other tests:
 *
 * <pre>{@code
 * class FileBootstrapStoreContractTest extends BootstrapStoreContract {
 *     @TempDir Path dir;
 *     @Override protected BootstrapStore newStore() { return new FileBootstrapStore(dir); }
 * }
 * }</pre>
 *
 * <p>Concurrency checks run only for stores that declare themselves linearizable. Expiry checks
 * run only when the subclass can move the store's clock ({@link #advanceTime(Duration)}); a store
 * whose writes take time to show overrides {@link #settle()}.
 *
 * <p>It is a JUnit 5 test class asserting with AssertJ; the testkit declares both optional, so a
 * project that extends it brings its own {@code junit-jupiter} and {@code assertj-core} test
 * dependencies (as any JUnit 5 project has).
 */
public abstract class BootstrapStoreContract {

    /** The store under test, fresh for each test. */
    protected BootstrapStore store;

    /**
     * A clock for stores that take one: build the store on it and return true from
     * {@link #canAdvanceTime()}, and the expiry checks move it.
     */
    protected final MutableClock clock = MutableClock.startingNow();

    /** A fresh, empty store. Called before each test; the kit closes it afterwards. */
    protected abstract BootstrapStore newStore() throws Exception;

    /** Waits until the store's own writes are visible to its own reads; a no-op by default. */
    protected void settle() throws Exception {
    }

    /**
     * Moves the store's clock forward; by default {@link #clock}. Expiry checks run only when
     * {@link #canAdvanceTime()} is true.
     */
    protected void advanceTime(Duration duration) throws Exception {
        clock.advance(duration);
    }

    /** Whether {@link #advanceTime(Duration)} moves this store's clock: true when it runs on {@link #clock}. */
    protected boolean canAdvanceTime() {
        return false;
    }

    /** Threads used by the concurrency checks. */
    protected int concurrency() {
        return 8;
    }

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void nameIsDescriptive() {
        assertThat(store.name()).isNotBlank();
        assertThat(store.consistency()).isNotNull();
    }

    @Test
    void absentKeyReadsEmpty() {
        assertThat(store.get("contract/absent")).isEmpty();
        assertThat(store.list("contract/")).isEmpty();
    }

    @Test
    void putIfAbsentCreatesOnceAndKeepsTheFirstValue() throws Exception {
        Optional<Entry> first = store.putIfAbsent("contract/k", bytes("one"));
        assertThat(first).isPresent();
        assertThat(first.get().version()).isPositive();
        assertThat(first.get().value()).isEqualTo(bytes("one"));
        settle();

        assertThat(store.putIfAbsent("contract/k", bytes("two"))).isEmpty();
        settle();
        Entry read = store.get("contract/k").orElseThrow();
        assertThat(read.value()).isEqualTo(bytes("one"));
        assertThat(read.version()).isEqualTo(first.get().version());
    }

    @Test
    void compareAndSetReplacesOnlyTheExpectedVersion() throws Exception {
        Entry v1 = store.putIfAbsent("contract/cas", bytes("a")).orElseThrow();
        settle();
        Entry v2 = store.compareAndSet("contract/cas", v1.version(), bytes("b")).orElseThrow();
        assertThat(v2.version()).isGreaterThan(v1.version());
        assertThat(v2.value()).isEqualTo(bytes("b"));
        settle();

        assertThat(store.compareAndSet("contract/cas", v1.version(), bytes("stale"))).isEmpty();
        settle();
        Entry read = store.get("contract/cas").orElseThrow();
        assertThat(read.value()).isEqualTo(bytes("b"));
        assertThat(read.version()).isEqualTo(v2.version());
    }

    @Test
    void compareAndSetOnAnAbsentKeyDoesNotCreateIt() throws Exception {
        assertThat(store.compareAndSet("contract/none", 1, bytes("x"))).isEmpty();
        settle();
        assertThat(store.get("contract/none")).isEmpty();
    }

    @Test
    void deleteIsConditional() throws Exception {
        Entry v1 = store.putIfAbsent("contract/del", bytes("a")).orElseThrow();
        settle();
        assertThat(store.delete("contract/del", v1.version() + 1000)).isFalse();
        settle();
        assertThat(store.get("contract/del")).isPresent();

        assertThat(store.delete("contract/del", v1.version())).isTrue();
        settle();
        assertThat(store.get("contract/del")).isEmpty();
        assertThat(store.delete("contract/del", v1.version())).isFalse();
        settle();
        assertThat(store.putIfAbsent("contract/del", bytes("again"))).isPresent();
    }

    @Test
    void aStaleVersionDoesNotMatchARecreatedKey() throws Exception {
        assumeTrue(store.consistency().isLinearizable(), "version reuse is only excluded on linearizable stores");
        Entry old = store.putIfAbsent("contract/aba", bytes("a")).orElseThrow();
        assertThat(store.delete("contract/aba", old.version())).isTrue();
        Entry recreated = store.putIfAbsent("contract/aba", bytes("b")).orElseThrow();
        assertThat(recreated.version()).isNotEqualTo(old.version());
        assertThat(store.compareAndSet("contract/aba", old.version(), bytes("stale"))).isEmpty();
        assertThat(store.get("contract/aba").orElseThrow().value()).isEqualTo(bytes("b"));
    }

    @Test
    void valuesRoundTripByteForByte() throws Exception {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        store.putIfAbsent("contract/binary", all);
        store.putIfAbsent("contract/empty", new byte[0]);
        byte[] large = new byte[256 * 1024];
        new Random(7).nextBytes(large);
        store.putIfAbsent("contract/large", large);
        settle();
        assertThat(store.get("contract/binary").orElseThrow().value()).isEqualTo(all);
        assertThat(store.get("contract/empty").orElseThrow().value()).isEmpty();
        assertThat(store.get("contract/large").orElseThrow().value()).isEqualTo(large);
    }

    @Test
    void keysMayBeAnyPrintableUnicode() throws Exception {
        String key = "contract/ünï-cødé/名前/with space/and:colon";
        store.putIfAbsent(key, bytes("v"));
        settle();
        assertThat(store.get(key).orElseThrow().value()).isEqualTo(bytes("v"));
        assertThat(store.list("contract/ünï")).extracting(KeyVersion::key).containsExactly(key);
    }

    @Test
    void listReturnsLiveKeysUnderThePrefixInOrder() throws Exception {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String key = String.format("contract/list/%03d", i);
            expected.add(key);
            store.putIfAbsent(key, bytes("v" + i));
        }
        store.putIfAbsent("contract/listing-sibling", bytes("x"));
        store.putIfAbsent("contract/lis", bytes("x"));
        Entry gone = store.putIfAbsent("contract/list/zzz", bytes("gone")).orElseThrow();
        settle();
        assertThat(store.delete("contract/list/zzz", gone.version())).isTrue();
        settle();

        List<KeyVersion> listed = store.list("contract/list/");
        assertThat(listed).extracting(KeyVersion::key).containsExactlyElementsOf(expected);
        for (KeyVersion kv : listed) {
            assertThat(kv.version()).isEqualTo(store.get(kv.key()).orElseThrow().version());
        }
        assertThat(store.list("contract/")).hasSize(expected.size() + 2);
    }

    @Test
    void badKeysAreRefusedBeforeAnythingIsWritten() throws Exception {
        String tooLong = "contract/" + "k".repeat(store.maxKeyBytes());
        assertThatThrownBy(() -> store.putIfAbsent(tooLong, bytes("v")))
                .isInstanceOf(StoreLimitException.class).hasMessageContaining("bytes");
        assertThatThrownBy(() -> store.putIfAbsent("", bytes("v"))).isInstanceOf(StoreLimitException.class);
        assertThatThrownBy(() -> store.putIfAbsent("contract/new\nline", bytes("v")))
                .isInstanceOf(StoreLimitException.class).hasMessageContaining("control character");
        assertThatThrownBy(() -> store.putIfAbsent("contract/ttl", bytes("v"), store.minTtl().minusMillis(1)))
                .isInstanceOf(StoreLimitException.class).hasMessageContaining("time-to-live");
        settle();
        assertThat(store.list("contract/")).isEmpty();
    }

    @Test
    void entriesWithATimeToLiveExpire() throws Exception {
        assumeTrue(canAdvanceTime(), "this store runs on real time; expiry is tested by its own tests");
        Duration ttl = store.minTtl().multipliedBy(2);
        Entry e = store.putIfAbsent("contract/ttl", bytes("v"), ttl).orElseThrow();
        assertThat(e.expiresAt()).isPresent();
        store.putIfAbsent("contract/forever", bytes("v"));
        settle();
        advanceTime(ttl.dividedBy(2));
        assertThat(store.get("contract/ttl")).isPresent();

        advanceTime(ttl);
        assertThat(store.get("contract/ttl")).isEmpty();
        assertThat(store.list("contract/")).extracting(KeyVersion::key).containsExactly("contract/forever");
        assertThat(store.compareAndSet("contract/ttl", e.version(), bytes("late"))).isEmpty();
        assertThat(store.putIfAbsent("contract/ttl", bytes("fresh"))).isPresent();
    }

    @Test
    void compareAndSetCanRenewATimeToLive() throws Exception {
        assumeTrue(canAdvanceTime(), "this store runs on real time; expiry is tested by its own tests");
        Duration ttl = store.minTtl().multipliedBy(2);
        Entry e = store.putIfAbsent("contract/lease", bytes("v1"), ttl).orElseThrow();
        settle();
        advanceTime(ttl.dividedBy(2).plusMillis(1));
        Entry renewed = store.compareAndSet("contract/lease", e.version(), bytes("v2"), ttl).orElseThrow();
        settle();
        advanceTime(ttl.dividedBy(2).plusMillis(1));
        assertThat(store.get("contract/lease")).map(Entry::version).contains(renewed.version());
    }

    @Test
    void exactlyOneConcurrentPutIfAbsentWins() throws Exception {
        assumeTrue(store.consistency().isLinearizable(), "atomic conditional writes are only promised by linearizable stores");
        int threads = concurrency() * 2;
        List<Optional<Entry>> results = dev.meshjoin.testkit.Concurrently.run(threads,
                i -> () -> store.putIfAbsent("contract/race", bytes("writer-" + i)));
        long winners = results.stream().filter(Optional::isPresent).count();
        assertThat(winners).isEqualTo(1);
        Entry winner = results.stream().flatMap(Optional::stream).findFirst().orElseThrow();
        assertThat(store.get("contract/race").orElseThrow().value()).isEqualTo(winner.value());
    }

    @Test
    void concurrentCompareAndSetIncrementsLoseNothing() throws Exception {
        assumeTrue(store.consistency().isLinearizable(), "atomic conditional writes are only promised by linearizable stores");
        int threads = concurrency();
        int perThread = 50;
        store.putIfAbsent("contract/counter", ByteBuffer.allocate(8).putLong(0).array());
        dev.meshjoin.testkit.Concurrently.run(threads, i -> () -> {
            for (int done = 0; done < perThread; ) {
                Entry e = store.get("contract/counter").orElseThrow();
                long n = ByteBuffer.wrap(e.value()).getLong();
                if (store.compareAndSet("contract/counter", e.version(),
                        ByteBuffer.allocate(8).putLong(n + 1).array()).isPresent()) {
                    done++;
                }
            }
            return null;
        });
        long total = ByteBuffer.wrap(store.get("contract/counter").orElseThrow().value()).getLong();
        assertThat(total).isEqualTo((long) threads * perThread);
    }
}
