package dev.meshjoin.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.registry.ServiceInstance;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.ServicesRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.state.Beat;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The lighthouse's live view: concurrent polls, a slow store, and the beat's wire compatibility. */
class ServiceViewTest {
    // pool size 2 in the hanging-store test: the first poll blocks one thread; the other polls run on the second
    private final MutableClock clock = MutableClock.startingNow();
    private final InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
    private final StoreKeys keys = StoreKeys.of("test");

    private ServicesRecord record() {
        return Json.read(store.get(keys.services("lh")).orElseThrow().value(), ServicesRecord.class, "r");
    }

    @Test
    void concurrentPollsLookupsAndLeavesEndInTheLastWordOfEachNodeAndTheStoreAgrees() throws Exception {
        ServiceView view = new ServiceView(store, keys, "lh", clock, Duration.ofMinutes(1));
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads + 2);
        CyclicBarrier start = new CyclicBarrier(threads);
        Map<String, List<ServiceInstance>> last = new ConcurrentHashMap<>();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String node = "n" + t;
            Ipv4Address addr = Ipv4Address.parse("10.42.0." + (t + 2));
            done.add(pool.submit(() -> {
                start.await();
                ThreadLocalRandom r = ThreadLocalRandom.current();
                List<ServiceInstance> offered = List.of();
                for (int i = 0; i < 400; i++) {
                    switch (r.nextInt(4)) {
                        case 0 -> offered = List.of(ServiceInstance.of("echo", 8080));
                        case 1 -> offered = List.of(ServiceInstance.of("echo", 8080), ServiceInstance.of("db", 5432));
                        case 2 -> offered = List.of();
                        default -> { }
                    }
                    if (offered.isEmpty() && r.nextBoolean()) {
                        view.forget(node);
                    } else {
                        view.seen(node, addr, offered, r.nextDouble());
                    }
                    for (RegistryWire.Found f : view.lookup("echo")) {
                        assertThat(f.instance().name()).isEqualTo("echo");
                    }
                }
                last.put(node, offered);
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        view.sweep();
        for (int t = 0; t < threads; t++) {
            String node = "n" + t;
            List<String> names = view.lookup(null).stream().filter(f -> f.node().equals(node))
                    .map(f -> f.instance().name()).sorted().toList();
            assertThat(names).as(node).isEqualTo(last.get(node).stream().map(ServiceInstance::name).sorted().toList());
        }
        List<String> inStore = record().instances().stream().map(l -> l.node() + "/" + l.instance().name()).sorted().toList();
        List<String> inMemory = view.lookup(null).stream().map(f -> f.node() + "/" + f.instance().name()).sorted().toList();
        assertThat(inStore).as("the last write is the last set").isEqualTo(inMemory);
        assertThat(view.writes()).isGreaterThan(0).isLessThanOrEqualTo(threads * 400L);
    }

    @Test
    void aStoreThatHangsHoldsUpNeitherLookupsNorOtherNodesPolls() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch writing = new CountDownLatch(1);
        store.failWhen(op -> {
            if (op.startsWith("putIfAbsent") || op.startsWith("compareAndSet")) {
                writing.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return false;
        });
        ServiceView view = new ServiceView(store, keys, "lh", clock, Duration.ofMinutes(1));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> first = pool.submit(() -> view.seen("a", Ipv4Address.parse("10.42.0.2"),
                    List.of(ServiceInstance.of("echo", 8080)), 0.0));
            assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
            Future<?> load = pool.submit(() -> view.seen("a", Ipv4Address.parse("10.42.0.2"),
                    List.of(ServiceInstance.of("echo", 8080)), 3.0));
            load.get(5, TimeUnit.SECONDS);
            pool.submit(() -> view.seen("b", Ipv4Address.parse("10.42.0.3"), List.of(ServiceInstance.of("echo", 8080)), 0.0))
                    .get(5, TimeUnit.SECONDS);
            assertThat(view.lookup("echo")).extracting(RegistryWire.Found::node, RegistryWire.Found::load)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("a", 3.0), org.assertj.core.groups.Tuple.tuple("b", 0.0));
            release.countDown();
            first.get(10, TimeUnit.SECONDS);
            assertThat(record().instances()).as("the writer wrote b's change too").extracting(ServicesRecord.Listed::node)
                    .containsExactly("a", "b");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aBeatWithoutServicesIsTheOldWireFormatAndOldBeatsStillParse() throws Exception {
        Beat old = new Beat("n", "fp", null, null, false);
        String json = new String(Json.write(old), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("services").doesNotContain("load");
        assertThat(Json.mapper().readValue("{\"node\":\"n\",\"certificateFingerprint\":\"fp\",\"leaving\":false}", Beat.class))
                .isEqualTo(old);
        Beat with = old.withServices(List.of(ServiceInstance.of("echo", 8080)), 1.5);
        Beat back = Json.mapper().readValue(Json.write(with), Beat.class);
        assertThat(back.offered()).containsExactly(ServiceInstance.of("echo", 8080));
        assertThat(back.load()).isEqualTo(1.5);
        assertThat(with.goodbye().offered()).as("a leaving node offers nothing").isEmpty();
        assertThat(old.withServices(List.of(ServiceInstance.of("echo", 8080)), Double.NaN).load()).isNull();
    }
}
