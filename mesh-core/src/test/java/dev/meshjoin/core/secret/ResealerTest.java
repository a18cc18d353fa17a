package dev.meshjoin.core.secret;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.secret.SecretCodec;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ResealerTest {
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final byte[] oldKey = SecretKeyring.newKey();
    private final SecretCodec before = new DefaultSecretCodec(SecretKeyring.ofKey("old", oldKey));
    private final SecretCodec after = new DefaultSecretCodec(SecretKeyring.builder()
            .current("new", SecretKeyring.newKey()).previous("old", oldKey).build());

    private static byte[] aad(String key) {
        return key.getBytes(UTF_8);
    }

    private void put(MapStore store, SecretCodec codec, String key, String plain, Duration ttl) {
        assertThat(store.putIfAbsent(key, codec.seal(plain.getBytes(UTF_8), aad(key)), ttl)).isPresent();
    }

    private String read(MapStore store, SecretCodec codec, String key) {
        return new String(codec.open(store.get(key).orElseThrow().value(), aad(key)), UTF_8);
    }

    @Test
    void resealLeavesNoValueUnderTheOldKeyAndKeepsEveryPlaintext() {
        MapStore store = new MapStore(clock);
        for (int i = 0; i < 10; i++) {
            put(store, before, "mesh/prod/v" + i, "value " + i, null);
        }
        put(store, after, "mesh/prod/already", "fresh", null);
        put(store, before, "mesh/other/untouched", "elsewhere", null);

        Resealer.ResealReport r = Resealer.of(store, after).withClock(clock).reseal("mesh/prod/");

        assertThat(r.examined()).isEqualTo(11);
        assertThat(r.resealed()).isEqualTo(10);
        assertThat(r.alreadyCurrent()).isEqualTo(1);
        assertThat(r.failed()).isEmpty();
        for (KeyVersion kv : store.list("mesh/prod/")) {
            assertThat(after.keyIdOf(store.get(kv.key()).orElseThrow().value())).isEqualTo("new");
        }
        for (int i = 0; i < 10; i++) {
            assertThat(read(store, after, "mesh/prod/v" + i)).isEqualTo("value " + i);
        }
        assertThat(before.keyIdOf(store.get("mesh/other/untouched").orElseThrow().value())).isEqualTo("old");
        // A second pass finds nothing to do.
        assertThat(Resealer.of(store, after).reseal("mesh/prod/").resealed()).isZero();
    }

    @Test
    void aConcurrentUpdateBetweenReadAndWriteIsNeverLost() {
        MapStore store = new MapStore(clock);
        String key = "mesh/prod/network";
        put(store, before, key, "version 1", null);
        AtomicBoolean raced = new AtomicBoolean();
        store.beforeCompareAndSet = (s, k) -> {
            if (raced.compareAndSet(false, true)) {
                // Another node updates the value (still under the old key) after the resealer read it.
                Entry e = s.get(k).orElseThrow();
                assertThat(s.compareAndSet(k, e.version(), before.seal("version 2".getBytes(UTF_8), aad(k)))).isPresent();
            }
        };

        Resealer.ResealReport r = Resealer.of(store, after).reseal("mesh/prod/");

        assertThat(raced).isTrue();
        assertThat(r.conflicts()).isEqualTo(1);
        assertThat(r.resealed()).isEqualTo(1);
        assertThat(read(store, after, key)).isEqualTo("version 2");
        assertThat(after.keyIdOf(store.get(key).orElseThrow().value())).isEqualTo("new");
    }

    @Test
    void concurrentWritersAndAResealerLoseNoUpdate() throws Exception {
        MapStore store = new MapStore(Clock.systemUTC());
        int keys = 40;
        for (int i = 0; i < keys; i++) {
            put(store, before, "mesh/prod/k" + i, "initial", null);
        }
        Map<String, String> lastWritten = new ConcurrentHashMap<>();
        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            futures.add(pool.submit(() -> {
                start.await();
                // Each writer owns the keys i ≡ writer (mod writers), so "last write" is well defined.
                for (int round = 0; round < 30; round++) {
                    for (int i = writer; i < keys; i += writers) {
                        String key = "mesh/prod/k" + i;
                        String text = "w" + writer + " round " + round;
                        while (true) {
                            Entry e = store.get(key).orElseThrow();
                            if (store.compareAndSet(key, e.version(), after.seal(text.getBytes(UTF_8), aad(key))).isPresent()) {
                                lastWritten.put(key, text);
                                break;
                            }
                        }
                    }
                }
                return null;
            }));
        }
        Future<Resealer.ResealReport> resealing = pool.submit(() -> {
            start.await();
            return Resealer.of(store, after).reseal("mesh/prod/");
        });
        start.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        Resealer.ResealReport r = resealing.get(60, TimeUnit.SECONDS);
        pool.shutdown();

        assertThat(r.failed()).isEmpty();
        for (int i = 0; i < keys; i++) {
            String key = "mesh/prod/k" + i;
            assertThat(read(store, after, key)).as(key).isEqualTo(lastWritten.get(key));
            assertThat(after.keyIdOf(store.get(key).orElseThrow().value())).isEqualTo("new");
        }
    }

    @Test
    void valuesThatDoNotOpenAreReportedAndLeftUntouched() {
        MapStore store = new MapStore(clock);
        put(store, before, "mesh/prod/good", "ok", null);
        byte[] moved = before.seal("moved".getBytes(UTF_8), aad("mesh/prod/elsewhere"));
        store.putIfAbsent("mesh/prod/moved", moved);
        store.putIfAbsent("mesh/prod/plain", "not sealed".getBytes(UTF_8));

        Resealer.ResealReport r = Resealer.of(store, after).reseal("mesh/prod/");

        assertThat(r.resealed()).isEqualTo(1);
        assertThat(r.failed()).containsOnlyKeys("mesh/prod/moved", "mesh/prod/plain");
        assertThat(store.get("mesh/prod/moved").orElseThrow().value()).isEqualTo(moved);
        assertThat(store.get("mesh/prod/plain").orElseThrow().text()).isEqualTo("not sealed");
    }

    @Test
    void timeToLiveIsKept() {
        MapStore store = new MapStore(clock);
        put(store, before, "mesh/prod/lease", "lease", Duration.ofSeconds(90));
        Resealer.of(store, after).withClock(clock).reseal("mesh/prod/");
        Entry e = store.get("mesh/prod/lease").orElseThrow();
        assertThat(e.expiresAt()).contains(NOW.plusSeconds(90));
        assertThat(after.keyIdOf(e.value())).isEqualTo("new");
    }

    @Test
    void migratesTheOriginalsFernetTokensToTheDefaultCodec() {
        MapStore store = new MapStore(clock);
        SecretCodec legacy = SecretCodecs.create("fernet-legacy", "original secret".toCharArray(), null);
        SecretCodec modern = SecretCodecs.create("default", "new secret".toCharArray(), SecretKeyring.newSalt());
        store.putIfAbsent("vpn/config", legacy.seal("{\"ca\":\"...\"}".getBytes(UTF_8), null));
        put(store, modern, "vpn/already", "modern", null);

        Resealer.ResealReport r = Resealer.migrating(store, legacy, modern).reseal("vpn/");

        assertThat(r.resealed()).isEqualTo(1);
        assertThat(r.alreadyCurrent()).isEqualTo(1);
        assertThat(read(store, modern, "vpn/config")).isEqualTo("{\"ca\":\"...\"}");
    }
}
