package dev.meshjoin.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.registry.LiveInstance;
import dev.meshjoin.api.registry.LoadReporter;
import dev.meshjoin.api.registry.RegistryException;
import dev.meshjoin.api.registry.ServiceInstance;
import dev.meshjoin.api.registry.ServiceRegistry;
import dev.meshjoin.core.AesGcmTestCodec;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.lifecycle.Revoker;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.ServicesRecord;
import dev.meshjoin.core.testing.MeshHarness;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The default registry through the lighthouses, on the in-process mesh with a clock the test moves (polls every hour). */
class LighthouseRegistryTest {
    private static final Duration POLL = Duration.ofHours(1);
    private final MutableClock clock = MutableClock.startingNow();
    private final AesGcmTestCodec codec = AesGcmTestCodec.random();
    private final TestDoubleCertificateAuthorityProvider ca = new TestDoubleCertificateAuthorityProvider(clock);
    private MeshHarness mesh;
    private InMemoryBootstrapStore store;
    private MeshNode lh;
    /** Real listening ports: a node announces only the services whose port accepts connections. */
    private final List<dev.meshjoin.testkit.net.EchoHttpServer> servers = new ArrayList<>();
    private int p1;
    private int p2;
    private int p3;

    @BeforeEach
    void setUp() throws java.io.IOException {
        for (int i = 0; i < 3; i++) {
            servers.add(dev.meshjoin.testkit.net.EchoHttpServer.onLoopback("s" + i));
        }
        servers.sort(java.util.Comparator.comparingInt(dev.meshjoin.testkit.net.EchoHttpServer::port));
        p1 = servers.get(0).port();
        p2 = servers.get(1).port();
        p3 = servers.get(2).port();
        store = InMemoryBootstrapStore.linearizable(clock);
        mesh = MeshHarness.builder().store(store).clock(clock).caProvider(ca).caKeyCodec(salt -> codec).build();
        lh = mesh.node("lh");
        assertThat(lh.join().state()).isEqualTo(NodeState.READY);
    }

    @AfterEach
    void tearDown() throws java.io.IOException {
        mesh.close();
        for (dev.meshjoin.testkit.net.EchoHttpServer s : servers) {
            s.close();
        }
    }

    private MeshNode member(String name) {
        MeshNode n = mesh.node(name, b -> b.publicEndpoint(null));
        assertThat(n.join().state()).isEqualTo(NodeState.READY);
        return n;
    }

    private static void tick(MeshNode n) {
        n.follower().orElseThrow().tick();
    }

    private static List<String> nodes(List<LiveInstance> found) {
        return found.stream().map(LiveInstance::node).sorted().toList();
    }

    private ServicesRecord record() {
        return Json.read(store.get("mesh/test/services/lh").orElseThrow().value(), ServicesRecord.class, "services");
    }

    @Test
    void announcedInstancesAreFoundWithAddressPortAndLoadByAnyNode() {
        MeshNode a = member("a");
        MeshNode b = member("b");
        MeshNode c = member("c");
        a.registry().reportLoad(LoadReporter.fixed(0.25));
        a.registry().announce(ServiceInstance.of("echo", p1).withWeight(3));
        b.registry().announce(ServiceInstance.of("echo", p1));
        b.registry().announce(ServiceInstance.of("other", p3));
        tick(a);
        tick(b);

        List<LiveInstance> echo = c.registry().lookup("echo");
        assertThat(nodes(echo)).containsExactly("a", "b");
        LiveInstance fromA = echo.stream().filter(i -> i.node().equals("a")).findFirst().orElseThrow();
        assertThat(fromA.overlayAddress()).isEqualTo(a.certificate().orElseThrow().address().toString());
        assertThat(fromA.port()).isEqualTo(p1);
        assertThat(fromA.instance().weight()).isEqualTo(3);
        assertThat(fromA.load()).isEqualTo(0.25);
        assertThat(fromA.lastSeen()).isEqualTo(clock.instant());
        assertThat(nodes(lh.registry().lookup("other"))).as("the lighthouse answers itself in-process").containsExactly("b");
        assertThat(c.registry().lookup("nobody")).isEmpty();
        assertThat(nodes(c.serviceClient().lookup("echo"))).as("the Java client looks up the same").containsExactly("a", "b");
        assertThat(c.serviceClient()).isSameAs(c.serviceClient());
        assertThatThrownBy(() -> c.registry().lookup("Not A Name")).hasMessageContaining("must be a DNS label");

        b.registry().withdraw("echo");
        tick(b);
        assertThat(nodes(c.registry().lookup("echo"))).containsExactly("a");
        assertThat(nodes(c.registry().lookup("other"))).containsExactly("b");
    }

    @Test
    void theStoreIsWrittenWhenTheSetChangesAndNeverForALoadReport() {
        MeshNode a = member("a");
        double[] load = {0};
        a.registry().reportLoad(() -> load[0]);
        a.registry().announce(ServiceInstance.of("echo", p1));
        tick(a);
        ServiceView view = lh.stateService().orElseThrow().services();
        long writes = view.writes();
        assertThat(record().instances()).extracting(l -> l.node() + "/" + l.instance().name()).containsExactly("a/echo");
        for (int i = 0; i < 50; i++) {
            load[0] = i;
            clock.advance(Duration.ofMinutes(30));
            tick(a);
            tick(lh);
        }
        assertThat(a.registry().lookup("echo").get(0).load()).isEqualTo(49);
        assertThat(view.writes()).as("50 load reports, no change of the set").isEqualTo(writes);

        a.registry().announce(ServiceInstance.of("echo", p2));
        tick(a);
        assertThat(view.writes()).isEqualTo(writes + 1);
        assertThat(record().instances()).extracting(l -> l.instance().port()).containsExactly(p1, p2);
    }

    @Test
    void aSilentNodesInstancesDisappearWithinThreePollsAndALeavingNodesAtOnce() {
        MeshNode a = member("a");
        MeshNode b = member("b");
        a.registry().announce(ServiceInstance.of("echo", p1));
        b.registry().announce(ServiceInstance.of("echo", p1));
        tick(a);
        tick(b);
        // a keeps polling, b falls silent (its overlay is cut, so even the poll its announcement asked for fails).
        mesh.joinNetwork().offline(b.certificate().orElseThrow().address(), true);
        clock.advance(POLL);
        tick(a);
        clock.advance(POLL);
        tick(a);
        assertThat(nodes(lh.registry().lookup("echo"))).as("two polls of silence are tolerated").containsExactly("a", "b");
        clock.advance(POLL.dividedBy(2).plusSeconds(1));
        tick(a);
        assertThat(nodes(lh.registry().lookup("echo"))).as("gone after two and a half").containsExactly("a");
        tick(lh);
        assertThat(record().instances()).extracting(ServicesRecord.Listed::node).containsExactly("a");

        a.leave();
        assertThat(lh.registry().lookup("echo")).isEmpty();
    }

    @Test
    void aRevokedNodesInstancesDisappearAtTheLighthousesNextRefresh() {
        MeshNode a = member("a");
        MeshNode victim = member("victim");
        a.registry().announce(ServiceInstance.of("echo", p1));
        victim.registry().announce(ServiceInstance.of("echo", p1));
        tick(a);
        tick(victim);
        assertThat(nodes(a.registry().lookup("echo"))).containsExactly("a", "victim");
        Revoker.builder(store, "test").certificateAuthorities(ca).caKeyCodec(salt -> codec).clock(clock).build()
                .revoke("victim");
        tick(lh);
        assertThat(nodes(a.registry().lookup("echo"))).containsExactly("a");
        tick(victim);
        assertThat(nodes(a.registry().lookup("echo"))).as("its polls are refused").containsExactly("a");
    }

    @Test
    void aWatchIsToldOfChangesOfTheSetNotOfLoadsAndNothingAfterClose() throws Exception {
        MeshNode a = member("a");
        MeshNode c = member("c");
        List<List<String>> seen = new CopyOnWriteArrayList<>();
        double[] load = {0};
        a.registry().reportLoad(() -> load[0]);
        ServiceRegistry.Watch w = c.registry().watch("echo", l -> seen.add(nodes(l)));
        waitFor(() -> seen.size() == 1);
        assertThat(seen.get(0)).isEmpty();
        a.registry().announce(ServiceInstance.of("echo", p1));
        tick(a);
        waitFor(() -> seen.size() == 2);
        load[0] = 5;
        tick(a);
        Thread.sleep(200);
        assertThat(seen).hasSize(2);
        w.close();
        a.registry().withdraw("echo");
        tick(a);
        Thread.sleep(200);
        assertThat(seen).containsExactly(List.of(), List.of("a"));
    }

    @Test
    void aNodeThatIsNotReadyCannotLookUpAndSaysSo() {
        MeshNode n = mesh.node("later", b -> b.publicEndpoint(null));
        assertThatThrownBy(() -> n.registry().lookup("echo")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("not on the mesh yet");
        n.registry().announce(ServiceInstance.of("echo", p1));
        assertThat(n.registry().announced()).containsExactly(ServiceInstance.of("echo", p1));
        assertThat(n.join().state()).isEqualTo(NodeState.READY);
        assertThat(nodes(lh.registry().lookup("echo"))).as("announced before the join, carried by its first poll")
                .containsExactly("later");
    }

    @Test
    void aServiceWhoseServerStoppedDropsOutAtTheNextPoll() throws Exception {
        MeshNode a = member("a");
        a.registry().announce(ServiceInstance.of("echo", p1));
        a.registry().announce(ServiceInstance.of("other", p3));
        tick(a);
        assertThat(lh.registry().lookup("echo")).hasSize(1);
        servers.get(0).close();
        tick(a);
        assertThat(lh.registry().lookup("echo")).as("its port accepts no connection").isEmpty();
        assertThat(nodes(lh.registry().lookup("other"))).containsExactly("a");
        assertThat(a.registry().announced()).as("still announced, so it comes back when it listens again")
                .contains(ServiceInstance.of("echo", p1));
    }

    @Test
    void aNodeAnnouncesAtMost32Instances() {
        MeshNode a = member("a");
        List<ServiceInstance> all = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            all.add(ServiceInstance.of("s" + i, 1000 + i));
            a.registry().announce(all.get(i));
        }
        assertThatThrownBy(() -> a.registry().announce(ServiceInstance.of("s32", 2000)))
                .isInstanceOf(RegistryException.class).hasMessageContaining("withdraw one first");
        a.registry().announce(ServiceInstance.of("s0", 1000).withWeight(2));
        assertThat(a.registry().announced()).hasSize(32).contains(ServiceInstance.of("s0", 1000).withWeight(2));
    }

    private static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(20);
        }
    }
}
