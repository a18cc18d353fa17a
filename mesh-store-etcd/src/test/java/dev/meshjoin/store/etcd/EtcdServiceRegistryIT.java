package dev.meshjoin.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.registry.LiveInstance;
import dev.meshjoin.api.registry.LoadReporter;
import dev.meshjoin.api.registry.ServiceInstance;
import dev.meshjoin.api.registry.ServiceRegistry;
import dev.meshjoin.testkit.etcd.EtcdServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The registry on a real etcd (on loopback): keys under a lease, lookups as a range, watches as etcd watches. */
class EtcdServiceRegistryIT {
    private static final AtomicInteger RUN = new AtomicInteger();
    private static EtcdServer etcd;

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

    /** A registry whose nodes' addresses are made up, so every port counts as accepting. */
    private static EtcdServiceRegistry registry(String prefix, String node, String address) {
        return EtcdServiceRegistry.start(EtcdServer.assumeRunning(etcd).clientUrl(), prefix, "it", node,
                () -> Optional.of(address), Duration.ofSeconds(1), (a, p) -> true);
    }

    private static List<String> nodes(List<LiveInstance> l) {
        return l.stream().map(LiveInstance::node).sorted().toList();
    }

    private static void await(BooleanSupplier c, long ms, String what) throws InterruptedException {
        long until = System.nanoTime() + ms * 1_000_000;
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError(what + " did not happen within " + ms + " ms");
            }
            Thread.sleep(50);
        }
    }

    @Test
    void instancesAreFoundWatchedAndGoneWhenTheirNodeClosesOrStops() throws Exception {
        String prefix = "reg-" + RUN.incrementAndGet() + "/";
        try (EtcdServiceRegistry a = registry(prefix, "node-a", "10.42.0.2");
             EtcdServiceRegistry b = registry(prefix, "node-b", "10.42.0.3");
             EtcdServiceRegistry c = registry(prefix, "node-c", "10.42.0.4")) {
            List<List<String>> seen = new CopyOnWriteArrayList<>();
            ServiceRegistry.Watch w = c.watch("echo", l -> seen.add(nodes(l)));
            await(() -> seen.size() == 1, 5000, "the first report");
            assertThat(seen.get(0)).isEmpty();

            a.reportLoad(LoadReporter.fixed(0.5));
            a.announce(ServiceInstance.of("echo", 8080).withWeight(2));
            b.announce(ServiceInstance.of("echo", 8080));
            b.announce(ServiceInstance.of("db", 5432));
            await(() -> nodes(c.lookup("echo")).equals(List.of("node-a", "node-b")), 5000, "both announced");
            LiveInstance fromA = c.lookup("echo").stream().filter(i -> i.node().equals("node-a")).findFirst().orElseThrow();
            assertThat(fromA.overlayAddress()).isEqualTo("10.42.0.2");
            assertThat(fromA.instance().weight()).isEqualTo(2);
            assertThat(fromA.load()).isEqualTo(0.5);
            assertThat(nodes(c.lookup("db"))).containsExactly("node-b");
            await(() -> seen.contains(List.of("node-a", "node-b")), 5000, "the watch seeing both");

            b.withdraw("echo");
            await(() -> nodes(c.lookup("echo")).equals(List.of("node-a")), 5000, "the withdrawal");
            assertThat(nodes(c.lookup("db"))).containsExactly("node-b");

            a.close();
            await(() -> c.lookup("echo").isEmpty(), 2000, "a closed node's instances going at once");
            await(() -> seen.get(seen.size() - 1).isEmpty(), 5000, "the watch seeing none");

            b.announce(ServiceInstance.of("echo", 8081));
            await(() -> nodes(c.lookup("echo")).equals(List.of("node-b")), 5000, "b again");
            long stopped = System.nanoTime();
            b.halt();
            await(() -> c.lookup("echo").isEmpty(), 10_000, "a stopped node's lease running out");
            long ms = (System.nanoTime() - stopped) / 1_000_000;
            System.out.println("a stopped node's instances expired after " + ms + " ms (interval 1 s)");
            assertThat(ms).as("within three intervals and etcd's expiry tick").isLessThan(4500);
            int before = seen.size();
            w.close();
            c.announce(ServiceInstance.of("echo", 9));
            await(() -> nodes(c.lookup("echo")).equals(List.of("node-c")), 5000, "c announced");
            Thread.sleep(300);
            assertThat(seen).hasSize(before);
        }
    }

    @Test
    void anInstanceWhoseServerStopsDropsOutWithinAnIntervalAndComesBackWhenItListensAgain() throws Exception {
        String prefix = "reg-" + RUN.incrementAndGet() + "/";
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = server.getLocalPort();
        try (EtcdServiceRegistry a = EtcdServiceRegistry.start(EtcdServer.assumeRunning(etcd).clientUrl(), prefix, "it",
                "node-a", () -> Optional.of("127.0.0.1"), Duration.ofSeconds(1))) {
            a.announce(ServiceInstance.of("echo", port));
            int closedPort;
            try (ServerSocket gone = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                closedPort = gone.getLocalPort();
            }
            a.announce(ServiceInstance.of("idle", closedPort));
            await(() -> nodes(a.lookup("echo")).equals(List.of("node-a")), 5000, "the listening one announced");
            assertThat(a.lookup("idle")).as("a port nobody listens on is never announced").isEmpty();
            server.close();
            long stopped = System.nanoTime();
            await(() -> a.lookup("echo").isEmpty(), 3000, "the stopped server dropping out");
            System.out.println("a stopped server's instance dropped out after "
                    + (System.nanoTime() - stopped) / 1_000_000 + " ms (interval 1 s)");
            assertThat(a.announced()).as("still announced: it comes back when it listens again").hasSize(2);
            try (ServerSocket again = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
                await(() -> nodes(a.lookup("echo")).equals(List.of("node-a")), 3000, "the server listening again");
            }
        } finally {
            server.close();
        }
    }

    @Test
    void theProviderChoosesEtcdForAnEtcdStoreThroughDecoratorsAndNothingElse() throws Exception {
        EtcdBootstrapStore store = EtcdBootstrapStore.builder().endpoint(EtcdServer.assumeRunning(etcd).clientUrl())
                .keyPrefix("reg-" + RUN.incrementAndGet() + "/").build();
        dev.meshjoin.api.registry.ServiceRegistryProvider.Context ctx = new dev.meshjoin.api.registry.ServiceRegistryProvider
                .Context("it", "node-p", () -> Optional.of("10.42.0.9"), Duration.ofSeconds(1));
        EtcdRegistryProvider provider = new EtcdRegistryProvider();
        assertThat(java.util.ServiceLoader.load(dev.meshjoin.api.registry.ServiceRegistryProvider.class).stream()
                .map(p -> (Object) p.type()).toList()).contains(EtcdRegistryProvider.class);
        try (store) {
            ServiceRegistry r = provider.open(new dev.meshjoin.api.store.ForwardingBootstrapStore(store), ctx).orElseThrow();
            try (EtcdServiceRegistry etcdRegistry = (EtcdServiceRegistry) r) {
                etcdRegistry.announce(ServiceInstance.of("echo", 8080));
                await(() -> nodes(etcdRegistry.lookup("echo")).equals(List.of("node-p")), 5000, "announced on etcd");
            }
            assertThat(provider.open(dev.meshjoin.testkit.store.InMemoryBootstrapStore.linearizable(), ctx)).isEmpty();
        }
    }
}
