package dev.meshjoin.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.testkit.etcd.EtcdServer;
import dev.meshjoin.api.store.BootstrapStoreProvider;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.api.store.StoreLimitException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The atomic-write guarantees of the etcd store, proven under real concurrency on a real etcd. */
class EtcdBootstrapStoreIT {
    private static final AtomicInteger RUN = new AtomicInteger();
    private static EtcdServer etcd;
    private EtcdBootstrapStore store;

    @BeforeAll
    static void startEtcd() throws Exception {
        etcd = EtcdServer.startIfInstalled();
    }

    @AfterAll
    static void stopEtcd() throws Exception {
        if (etcd != null) {
            etcd.close();
        }
    }

    @BeforeEach
    void open() {
        store = EtcdBootstrapStore.builder().endpoint(EtcdServer.assumeRunning(etcd).clientUrl()).keyPrefix("it-" + RUN.incrementAndGet() + "/")
                .minTtl(Duration.ofSeconds(2)).build();
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void thirtyTwoConcurrentFoundersElectExactlyOne() throws Exception {
        // Each founder has its own store (its own HTTP client), as separate processes would.
        List<EtcdBootstrapStore> stores = new ArrayList<>();
        String prefix = "founders-" + RUN.incrementAndGet() + "/";
        for (int i = 0; i < 32; i++) {
            stores.add(EtcdBootstrapStore.builder().endpoint(etcd.clientUrl()).keyPrefix(prefix).build());
        }
        List<Optional<Entry>> results = dev.meshjoin.testkit.Concurrently.run(32,
                i -> () -> stores.get(i).putIfAbsent("mesh/prod/founder", bytes("node-" + i), Duration.ofSeconds(30)));

        List<Entry> winners = results.stream().flatMap(Optional::stream).toList();
        assertThat(winners).hasSize(1);
        Entry stored = stores.get(0).get("mesh/prod/founder").orElseThrow();
        assertThat(stored.value()).isEqualTo(winners.get(0).value());
        assertThat(stored.version()).isEqualTo(winners.get(0).version());
        assertThat(stored.expiresAt()).isPresent();
    }

    @Test
    void eightThreadsTimesHundredCompareAndSetIncrementsGiveExactly800() throws Exception {
        store.putIfAbsent("counter", ByteBuffer.allocate(8).putLong(0).array());
        AtomicInteger lostRaces = new AtomicInteger();
        dev.meshjoin.testkit.Concurrently.run(8, i -> () -> {
            try (EtcdBootstrapStore mine = EtcdBootstrapStore.builder().endpoint(etcd.clientUrl())
                    .keyPrefix(keyPrefixOf(store)).build()) {
                for (int done = 0; done < 100; ) {
                    Entry e = mine.get("counter").orElseThrow();
                    long n = ByteBuffer.wrap(e.value()).getLong();
                    if (mine.compareAndSet("counter", e.version(), ByteBuffer.allocate(8).putLong(n + 1).array()).isPresent()) {
                        done++;
                    } else {
                        lostRaces.incrementAndGet();
                    }
                }
            }
            return null;
        });
        assertThat(ByteBuffer.wrap(store.get("counter").orElseThrow().value()).getLong()).isEqualTo(800);
        // Not a requirement, but shows the test really raced: some compare-and-sets lost.
        System.out.println("compare-and-set races lost: " + lostRaces.get());
    }

    @Test
    void versionsAreNeverReusedAfterADelete() {
        Entry a = store.putIfAbsent("k", bytes("a")).orElseThrow();
        assertThat(store.delete("k", a.version())).isTrue();
        Entry b = store.putIfAbsent("k", bytes("b")).orElseThrow();
        assertThat(b.version()).isGreaterThan(a.version());
        assertThat(store.compareAndSet("k", a.version(), bytes("stale"))).isEmpty();
        assertThat(store.delete("k", a.version())).isFalse();
    }

    @Test
    void entriesExpireOnEtcdsClock() throws Exception {
        Entry e = store.putIfAbsent("lease", bytes("v"), Duration.ofSeconds(2)).orElseThrow();
        store.putIfAbsent("forever", bytes("v"));
        assertThat(e.expiresAt()).isPresent();
        assertThat(store.get("lease").orElseThrow().expiresAt()).isPresent();
        assertThat(store.list("")).extracting(KeyVersion::key).containsExactly("forever", "lease");

        // Wait for etcd's lessor, polling; it expires leases within about a second of their TTL.
        Instant deadline = Instant.now().plusSeconds(20);
        while (store.get("lease").isPresent() && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertThat(store.get("lease")).isEmpty();
        assertThat(store.list("")).extracting(KeyVersion::key).containsExactly("forever");
        assertThat(store.compareAndSet("lease", e.version(), bytes("late"))).isEmpty();
        assertThat(store.putIfAbsent("lease", bytes("fresh"))).isPresent();
    }

    @Test
    void listingPagesThroughMoreThanOnePage() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            String k = String.format("page/%05d", i);
            expected.add(k);
            store.putIfAbsent(k, bytes("v"));
        }
        store.putIfAbsent("pagf", bytes("outside"));
        assertThat(store.list("page/")).extracting(KeyVersion::key).containsExactlyElementsOf(expected);
    }

    @Test
    void prefixesIsolateMeshesSharingOneEtcd() {
        EtcdBootstrapStore other = EtcdBootstrapStore.builder().endpoint(etcd.clientUrl())
                .keyPrefix(keyPrefixOf(store).replace("/", "-other/")).build();
        store.putIfAbsent("k", bytes("mine"));
        assertThat(other.get("k")).isEmpty();
        assertThat(other.putIfAbsent("k", bytes("theirs"))).isPresent();
        assertThat(store.get("k").orElseThrow().text()).isEqualTo("mine");
        assertThat(store.list("")).extracting(KeyVersion::key).containsExactly("k");
    }

    @Test
    void aDeadFirstEndpointFailsOverToTheNext() throws Exception {
        URI dead = URI.create("http://127.0.0.1:" + deadPort());
        EtcdBootstrapStore failover = EtcdBootstrapStore.builder().endpoints(dead, etcd.clientUrl())
                .keyPrefix(keyPrefixOf(store)).build();
        assertThat(failover.putIfAbsent("fo", bytes("v"))).isPresent();
        assertThat(store.get("fo")).isPresent();
    }

    @Test
    void noReachableEndpointIsARetryableErrorNamingIt() throws Exception {
        URI dead = URI.create("http://127.0.0.1:" + deadPort());
        EtcdBootstrapStore nowhere = EtcdBootstrapStore.builder().endpoints(dead).connectTimeout(Duration.ofSeconds(1)).build();
        assertThatThrownBy(() -> nowhere.get("k"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(dead.toString())
                .satisfies(e -> assertThat(((StoreException) e).retryable()).isTrue());
    }

    @Test
    void valuesOverTheLimitAreRefusedBeforeSending() {
        EtcdBootstrapStore small = EtcdBootstrapStore.builder().endpoint(URI.create("http://127.0.0.1:1"))
                .maxValueBytes(1024).build();
        // Port 1 is closed: had a request gone out, the error would be a connection failure.
        assertThatThrownBy(() -> small.putIfAbsent("k", new byte[1025]))
                .isInstanceOf(StoreLimitException.class).hasMessageContaining("1025 bytes");
    }

    @Test
    void aValueAtTheDefaultLimitFitsEtcdsRequestLimit() {
        byte[] max = new byte[(int) store.maxValueBytes()];
        new java.util.Random(3).nextBytes(max);
        assertThat(store.putIfAbsent("max", max)).isPresent();
        assertThat(store.get("max").orElseThrow().value()).isEqualTo(max);
    }

    @Test
    void theProviderOpensAStoreFromAUri() {
        BootstrapStoreProvider provider = ServiceLoader.load(BootstrapStoreProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.scheme().equals("etcd")).findFirst().orElseThrow();
        try (BootstrapStore s = provider.open(URI.create("etcd://127.0.0.1:" + etcd.clientUrl().getPort() + "/"
                + keyPrefixOf(store)))) {
            store.putIfAbsent("via-provider", bytes("v"));
            assertThat(s.get("via-provider")).isPresent();
            assertThat(s.consistency().isLinearizable()).isTrue();
        }
        assertThatThrownBy(() -> provider.open(URI.create("etcd://h:1?user=x")))
                .hasMessageContaining("tls=true");
    }

    private static String keyPrefixOf(EtcdBootstrapStore s) {
        return s.keyPrefix();
    }

    private static int deadPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort(); // closed when this returns: nothing listens there
        }
    }
}
