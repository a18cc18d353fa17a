package dev.meshjoin.store.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.api.store.StoreLimitException;
import dev.meshjoin.core.store.BootstrapStores;
import dev.meshjoin.testkit.Concurrently;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The atomic-write guarantees of the Durable Object store, under real concurrency, on workerd. */
class CloudflareDoStoreIT {
    private String prefix;
    private CloudflareDoStore store;

    @BeforeEach
    void open() {
        prefix = StoreWorker.freshPrefix();
        store = StoreWorker.store(prefix);
    }

    @AfterEach
    void close() {
        // Null when the Worker could not be served: the test was skipped, not failed.
        if (store != null) {
            store.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void thirtyTwoConcurrentFoundersElectExactlyOne() throws Exception {
        // Each founder has its own client (its own connections), as separate processes would.
        List<CloudflareDoStore> founders = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            founders.add(StoreWorker.store(prefix));
        }
        List<Optional<Entry>> results = Concurrently.run(32,
                i -> () -> founders.get(i).putIfAbsent("mesh/prod/founder", bytes("node-" + i), Duration.ofSeconds(30)));

        List<Entry> winners = results.stream().flatMap(Optional::stream).toList();
        assertThat(winners).hasSize(1);
        Entry stored = store.get("mesh/prod/founder").orElseThrow();
        assertThat(stored.value()).isEqualTo(winners.get(0).value());
        assertThat(stored.version()).isEqualTo(winners.get(0).version());
        assertThat(stored.expiresAt()).isPresent();
    }

    @Test
    void eightThreadsTimesHundredCompareAndSetIncrementsGiveExactly800() throws Exception {
        store.putIfAbsent("mesh/prod/counter", ByteBuffer.allocate(8).putLong(0).array());
        AtomicInteger lostRaces = new AtomicInteger();
        Concurrently.run(8, i -> () -> {
            try (CloudflareDoStore mine = StoreWorker.store(prefix)) {
                for (int done = 0; done < 100; ) {
                    Entry e = mine.get("mesh/prod/counter").orElseThrow();
                    long n = ByteBuffer.wrap(e.value()).getLong();
                    if (mine.compareAndSet("mesh/prod/counter", e.version(), ByteBuffer.allocate(8).putLong(n + 1).array()).isPresent()) {
                        done++;
                    } else {
                        lostRaces.incrementAndGet();
                    }
                }
            }
            return null;
        });
        assertThat(ByteBuffer.wrap(store.get("mesh/prod/counter").orElseThrow().value()).getLong()).isEqualTo(800);
        System.out.println("compare-and-set races lost: " + lostRaces.get());
    }

    @Test
    void eachOperationIsOneRequestCountedAtTheWorker() throws Exception {
        String path = "/v1/" + prefix + "prod/";
        int[] before = {StoreWorker.dev().requests(path)};
        java.util.function.IntSupplier sent = () -> {
            int now = StoreWorker.dev().requests(path);
            int d = now - before[0];
            before[0] = now;
            return d;
        };
        store.get("mesh/prod/ops");
        Entry e = store.putIfAbsent("mesh/prod/ops", bytes("v"), Duration.ofMinutes(5)).orElseThrow();
        store.get("mesh/prod/ops");
        Entry e2 = store.compareAndSet("mesh/prod/ops", e.version(), bytes("w"), Duration.ofMinutes(5)).orElseThrow();
        store.list("mesh/prod/");
        store.delete("mesh/prod/ops", e2.version());
        Thread.sleep(300); // wrangler logs a request just after answering it
        assertThat(sent.getAsInt()).isEqualTo(6);
    }

    @Test
    void versionsAreNeverReusedAfterADelete() {
        Entry a = store.putIfAbsent("mesh/prod/k", bytes("a")).orElseThrow();
        assertThat(store.delete("mesh/prod/k", a.version())).isTrue();
        Entry b = store.putIfAbsent("mesh/prod/k", bytes("b")).orElseThrow();
        assertThat(b.version()).isGreaterThan(a.version());
        assertThat(store.compareAndSet("mesh/prod/k", a.version(), bytes("stale"))).isEmpty();
        assertThat(store.delete("mesh/prod/k", a.version())).isFalse();
        assertThat(store.get("mesh/prod/k").orElseThrow().text()).isEqualTo("b");
    }

    @Test
    void entriesExpireOnTheWorkersClockAndAreNeverReturnedAfter() throws Exception {
        Instant before = Instant.now();
        Entry e = store.putIfAbsent("mesh/prod/lease", bytes("v"), Duration.ofMillis(1500)).orElseThrow();
        store.putIfAbsent("mesh/prod/forever", bytes("v"));
        assertThat(e.expiresAt()).get().satisfies(t -> assertThat(t).isBetween(before.plusMillis(1000), before.plusSeconds(5)));
        assertThat(store.list("mesh/prod/")).extracting(KeyVersion::key).containsExactly("mesh/prod/forever", "mesh/prod/lease");

        Instant deadline = Instant.now().plusSeconds(20);
        while (store.get("mesh/prod/lease").isPresent() && Instant.now().isBefore(deadline)) {
            Thread.sleep(100); // polling the expiry, not a fixed wait
        }
        assertThat(store.get("mesh/prod/lease")).isEmpty();
        assertThat(store.list("mesh/prod/")).extracting(KeyVersion::key).containsExactly("mesh/prod/forever");
        assertThat(store.compareAndSet("mesh/prod/lease", e.version(), bytes("late"))).isEmpty();
        assertThat(store.delete("mesh/prod/lease", e.version())).isFalse();
        Entry fresh = store.putIfAbsent("mesh/prod/lease", bytes("fresh")).orElseThrow();
        assertThat(fresh.version()).isGreaterThan(e.version());
    }

    @Test
    void listingPagesThroughMoreThanOnePageInAscendingKeyOrder() throws Exception {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2100; i++) {
            expected.add(String.format("mesh/prod/page/%05d", i));
        }
        // Written out of order, by 4 threads, to show the order comes from the store.
        Concurrently.run(4, t -> () -> {
            try (CloudflareDoStore mine = StoreWorker.store(prefix)) {
                for (int i = expected.size() - 1 - t; i >= 0; i -= 4) {
                    mine.putIfAbsent(expected.get(i), bytes("v"));
                }
            }
            return null;
        });
        store.putIfAbsent("mesh/prod/pagf", bytes("outside"));
        store.putIfAbsent("mesh/prod/pag", bytes("outside"));
        assertThat(store.list("mesh/prod/page/")).extracting(KeyVersion::key).containsExactlyElementsOf(expected);
    }

    @Test
    void eachNetworkHasItsOwnObjectAndListsStayInsideOne() {
        store.putIfAbsent("mesh/prod/k", bytes("prod"));
        store.putIfAbsent("mesh/test/k", bytes("test"));
        store.putIfAbsent("tools/k", bytes("default"));
        assertThat(store.list("mesh/prod/")).extracting(KeyVersion::key).containsExactly("mesh/prod/k");
        assertThat(store.list("mesh/test/")).extracting(KeyVersion::key).containsExactly("mesh/test/k");
        assertThat(store.list("tools/")).extracting(KeyVersion::key).containsExactly("tools/k");
        for (String spanning : List.of("", "mesh/", "mesh/pro")) {
            assertThatThrownBy(() -> store.list(spanning)).isInstanceOf(StoreLimitException.class)
                    .hasMessageContaining("spans several networks");
        }
        // Another prefix means other objects: nothing is shared.
        try (CloudflareDoStore other = StoreWorker.store(StoreWorker.freshPrefix())) {
            assertThat(other.get("mesh/prod/k")).isEmpty();
        }
    }

    @Test
    void aValueAtTheLimitRoundTripsAndOneByteMoreIsRefusedBeforeSending() {
        byte[] max = new byte[(int) store.maxValueBytes()];
        new java.util.Random(3).nextBytes(max);
        assertThat(store.putIfAbsent("mesh/prod/max", max)).isPresent();
        assertThat(store.get("mesh/prod/max").orElseThrow().value()).isEqualTo(max);
        assertThatThrownBy(() -> store.putIfAbsent("mesh/prod/over", new byte[max.length + 1]))
                .isInstanceOf(StoreLimitException.class).hasMessageContaining((max.length + 1) + " bytes");
        assertThat(store.get("mesh/prod/over")).isEmpty();
    }

    @Test
    void aWrongTokenIsRefusedWithAMessageNamingMeshStoreToken() {
        try (CloudflareDoStore wrong = CloudflareDoStore.builder().endpoint(StoreWorker.dev().url())
                .token("not-the-token-of-this-worker".toCharArray()).objectPrefix(prefix).build()) {
            assertThatThrownBy(() -> wrong.putIfAbsent("mesh/prod/k", bytes("v")))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("MESH_STORE_TOKEN")
                    .hasMessageContaining("401")
                    .satisfies(e -> assertThat(((StoreException) e).retryable()).isFalse());
        }
        assertThat(store.get("mesh/prod/k")).isEmpty();
    }

    @Test
    void theProviderOpensTheStoreFromItsUriWithTheTokenFromTheEnvironment() {
        CloudflareDoStoreProvider provider = new CloudflareDoStoreProvider(Map.of("MESH_STORE_TOKEN", StoreWorker.token()));
        try (BootstrapStore s = provider.open(java.net.URI.create("cloudflare-do:" + StoreWorker.dev().url()))) {
            assertThat(s.consistency().isLinearizable()).isTrue();
            assertThat(s.retriesItself()).isTrue();
            String network = "p" + Long.toHexString(System.nanoTime());
            Entry e = s.putIfAbsent("mesh/" + network + "/via-provider", bytes("v")).orElseThrow();
            assertThat(s.get("mesh/" + network + "/via-provider")).map(Entry::version).contains(e.version());
        }
        // And ServiceLoader finds it, as meshctl does.
        assertThatThrownBy(() -> BootstrapStores.open("cloudflare-do:http://192.0.2.1:8787"))
                .hasMessageContaining("loopback");
    }
}
