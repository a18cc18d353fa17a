package dev.meshjoin.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.api.overlay.OverlayState;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.core.record.FounderClaim;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.NetworkRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.harness.MeshHarness;
import dev.meshjoin.testkit.harness.ReadmeJoinTable;
import dev.meshjoin.testkit.overlay.InMemoryOverlayDriver;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import static dev.meshjoin.testkit.Bytes.indexOf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MeshNodeTest {
    private final MutableClock clock = MutableClock.startingNow();
    private final AesGcmTestCodec codec = AesGcmTestCodec.random();
    private MeshHarness mesh;

    private MeshHarness harness(InMemoryBootstrapStore store) {
        mesh = MeshHarness.builder().store(store).clock(clock)
                .caProvider(new TestDoubleCertificateAuthorityProvider(clock))
                .caKeyCodec(salt -> codec).build();
        return mesh;
    }

    @AfterEach
    void tearDown() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void thirtyTwoConcurrentJoinsMakeOneFounderAndThirtyTwoDistinctAddresses() throws Exception {
        MeshHarness h = harness(InMemoryBootstrapStore.linearizable(clock));
        List<NodeStatus> results = h.joinAll(h.names("node", 32));

        assertThat(results).allSatisfy(s -> assertThat(s.state()).as(s.detail()).isEqualTo(NodeState.READY));
        assertThat(results.stream().filter(NodeStatus::founder).count()).isEqualTo(1);
        Set<Ipv4Address> addresses = new HashSet<>();
        Ipv4Cidr cidr = Ipv4Cidr.parse("10.42.0.0/16");
        for (NodeStatus s : results) {
            Ipv4Address a = s.address().orElseThrow().address();
            assertThat(cidr.contains(a)).isTrue();
            assertThat(a).isNotEqualTo(cidr.network()).isNotEqualTo(cidr.broadcast());
            addresses.add(a);
        }
        assertThat(addresses).hasSize(32);
        assertThat(h.store().list("mesh/test/members/")).hasSize(32);
        assertThat(h.store().get("mesh/test/founder")).as("the claim is released once founded").isEmpty();
    }

    @Test
    void everyStateChangeReachesListenersInOrder() {
        MeshHarness h = harness(InMemoryBootstrapStore.linearizable(clock));
        List<NodeState> founderStates = new CopyOnWriteArrayList<>();
        List<NodeState> joinerStates = new CopyOnWriteArrayList<>();
        List<String> waits = new CopyOnWriteArrayList<>();
        // A state may repeat with a new detail while it waits (what for, and how long at most).
        h.node("alpha", b -> b.listener((p, c) -> {
            if (p.state() != c.state()) {
                founderStates.add(c.state());
            } else {
                waits.add(c.state() + " " + c.detail());
            }
        })).join();
        h.node("beta", b -> b.listener((p, c) -> {
            if (p.state() != c.state()) {
                joinerStates.add(c.state());
            }
        })).join();
        assertThat(waits).anyMatch(w -> w.startsWith("STARTING_OVERLAY overlay: ") && w.contains("waiting for a peer"));

        assertThat(founderStates).containsExactly(NodeState.DISCOVERING, NodeState.ELECTING, NodeState.FOUNDING,
                NodeState.STARTING_OVERLAY, NodeState.REGISTERING, NodeState.READY);
        assertThat(joinerStates).containsExactly(NodeState.DISCOVERING, NodeState.JOINING,
                NodeState.STARTING_OVERLAY, NodeState.REGISTERING, NodeState.READY);
    }

    @Test
    void aFounderThatDiedAfterClaimingIsReplacedWhenItsLeaseRunsOut() throws Exception {
        InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
        MeshHarness h = harness(store);
        StoreKeys keys = StoreKeys.of("test");
        // Exactly what a founder that crashed after claiming leaves behind: its claim, nothing else.
        FounderClaim dead = new FounderClaim(Versioned.SCHEMA, "dead-node", "feedface", clock.instant(),
                clock.instant().plusSeconds(30));
        store.putIfAbsent(keys.founderClaim(), Json.write(dead), Duration.ofSeconds(30));

        MeshNode next = h.node("survivor");
        CountDownLatch waiting = new CountDownLatch(1);
        next.addListener((p, c) -> {
            if (c.state() == NodeState.ELECTING) {
                waiting.countDown();
            }
        });
        Future<NodeStatus> joined = Executors.newSingleThreadExecutor().submit(next::join);
        assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(store.get(keys.network())).as("nobody founds while the dead claim holds").isEmpty();

        clock.advance(Duration.ofSeconds(31));
        NodeStatus status = joined.get(20, TimeUnit.SECONDS);
        assertThat(status.state()).as(status.detail()).isEqualTo(NodeState.READY);
        assertThat(status.founder()).isTrue();
        NetworkRecord rec = Json.read(store.get(keys.network()).orElseThrow().value(), NetworkRecord.class, "r");
        assertThat(rec.founder()).isEqualTo("survivor");
    }

    @Test
    void aRestartedFounderIsFounderAgainAndTheRecordIsUnchanged() {
        InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
        MeshHarness h = harness(store);
        NodeStatus first = h.node("origin").join();
        assertThat(first.state()).isEqualTo(NodeState.READY);
        assertThat(h.node("member").join().state()).isEqualTo(NodeState.READY);
        Entry recordBefore = store.get("mesh/test/network").orElseThrow();
        String caBefore = Json.read(recordBefore.value(), NetworkRecord.class, "r").caFingerprint();

        // Rebuilding a node closes the old instance, as a process restart would.
        List<NodeState> states = new ArrayList<>();
        NodeStatus again = h.node("origin", b -> b.listener((p, c) -> states.add(c.state()))).join();

        assertThat(again.state()).as(again.detail()).isEqualTo(NodeState.READY);
        assertThat(again.founder()).isTrue();
        assertThat(again.address()).isEqualTo(first.address());
        assertThat(states).contains(NodeState.RECOVERING).doesNotContain(NodeState.JOINING, NodeState.FOUNDING);
        Entry recordAfter = store.get("mesh/test/network").orElseThrow();
        assertThat(recordAfter.version()).isEqualTo(recordBefore.version());
        assertThat(recordAfter.value()).isEqualTo(recordBefore.value());

        // The recovered CA still admits new members, under the same CA.
        MeshNode late = h.node("late");
        assertThat(late.join().state()).isEqualTo(NodeState.READY);
        HostCertificate lateCert = late.certificate().orElseThrow();
        assertThat(lateCert.issuer()).isEqualTo(caBefore);
        assertThat(h.store().list("mesh/test/ca/")).hasSize(1);
    }

    @Test
    void aStoreThatFailsMidJoinEndsInFailedNamingStoreAndOperationAndBlocksNothing() {
        InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
        MeshHarness h = harness(store);
        store.failWhen(op -> op.equals("compareAndSet"));

        NodeStatus failed = h.node("unlucky").join();

        assertThat(failed.state()).isEqualTo(NodeState.FAILED);
        assertThat(failed.detail()).contains("in-memory").contains("compareAndSet mesh/test/founder");
        assertThat(failed.cause()).isPresent();
        assertThat(store.get("mesh/test/network")).isEmpty();
        assertThat(h.overlay("unlucky").current()).as("no overlay left running").isEmpty();

        assertThat(store.get("mesh/test/founder")).as("the failed founder gave its claim back").isEmpty();
        assertThat(store.list("mesh/test/ca/")).as("and removed its sealed CA key").isEmpty();

        store.failWhen(null);
        NodeStatus later = h.node("next").join();
        assertThat(later.state()).as(later.detail()).isEqualTo(NodeState.READY);
        assertThat(h.node("unlucky").join().state()).isEqualTo(NodeState.READY);
    }

    @Test
    void aJoinerWhoseOverlayCannotComeUpFallsBack() {
        MeshHarness h = harness(InMemoryBootstrapStore.linearizable(clock));
        assertThat(h.node("lh").join().state()).isEqualTo(NodeState.READY);
        h.replaceOverlay("isolated", new InMemoryOverlayDriver().manualHealth());

        NodeStatus s = h.node("isolated", b -> b.overlayTimeout(Duration.ofMillis(200))).join();

        assertThat(s.state()).isEqualTo(NodeState.FALLBACK);
        assertThat(s.detail()).contains("use another transport").contains("no peer answered");
        assertThat(h.overlay("isolated").current()).isEmpty();
    }

    @Test
    void aReadyNodeFollowsItsOverlayThroughDegradedBackToReady() {
        MeshHarness h = harness(InMemoryBootstrapStore.linearizable(clock));
        h.node("lh").join();
        MeshNode n = h.node("worker");
        assertThat(n.join().state()).isEqualTo(NodeState.READY);

        h.overlay("worker").setState(OverlayState.DEGRADED, "daemon restarted");
        assertThat(n.status().state()).isEqualTo(NodeState.DEGRADED);
        h.overlay("worker").setState(OverlayState.UP, "peer answered");
        assertThat(n.status().state()).isEqualTo(NodeState.READY);
        h.overlay("worker").setState(OverlayState.FAILED, "gave up after 5 restarts");
        assertThat(n.status().state()).isEqualTo(NodeState.FALLBACK);
    }

    @Test
    void aJoinerSendsOnlyItsPublicKeyAndKeepsItsPrivateKeyAt0600() throws Exception {
        MeshHarness h = harness(InMemoryBootstrapStore.linearizable(clock));
        h.node("lh").join();
        h.node("worker").join();
        OverlayConfig config = h.overlay("worker").current().orElseThrow();
        byte[] privateKey = config.privateKey();
        var request = h.joinNetwork().requests().get(0);
        assertThat(request.node()).isEqualTo("worker");
        assertThat(indexOf(request.publicKey(), privateKey)).isEqualTo(-1);
        assertThat(indexOf(request.credential(), privateKey)).isEqualTo(-1);
        var perms = java.nio.file.Files.getPosixFilePermissions(h.stateDirectory("worker").resolve("host.key"));
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(perms)).isEqualTo("rw-------");
        for (var e : h.store().rawSnapshot().values()) {
            assertThat(indexOf(e, privateKey)).isEqualTo(-1);
        }
    }

    @Test
    void theCaKeyIsSealedInTheStoreAndNeverOnDisk() throws Exception {
        MeshHarness h = harness(InMemoryBootstrapStore.linearizable(clock));
        h.node("lh").join();
        String caKeyKey = h.store().list("mesh/test/ca/").get(0).key();
        byte[] sealed = h.store().get(caKeyKey).orElseThrow().value();
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("PRIVATE").doesNotContain("CA KEY");
        byte[] opened = codec.open(sealed, caKeyKey.getBytes(StandardCharsets.UTF_8));
        assertThat(new String(opened, StandardCharsets.US_ASCII)).contains("CA KEY");
        try (var files = java.nio.file.Files.walk(h.stateDirectory("lh"))) {
            for (var p : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                assertThat(indexOf(java.nio.file.Files.readAllBytes(p), opened)).as(p.toString()).isEqualTo(-1);
            }
        }
    }

    @Test
    void leavingReleasesTheAddressAndARestartedJoinerKeepsItsAddress() {
        MeshHarness h = harness(InMemoryBootstrapStore.linearizable(clock));
        h.node("lh").join();
        NodeStatus a = h.node("worker").join();
        MeshNode restarted = h.node("worker");
        NodeStatus again = restarted.join();
        assertThat(again.address()).isEqualTo(a.address());

        restarted.leave();
        assertThat(restarted.status().state()).isEqualTo(NodeState.LEFT);
        assertThat(h.store().get("mesh/test/members/worker")).isEmpty();
        assertThat(h.store().get("mesh/test/ip-node/worker")).isEmpty();
        NodeStatus other = h.node("other").join();
        assertThat(other.address()).as("a released address is held until its certificate expires")
                .isNotEqualTo(a.address());
    }

    @Test
    void tenNodesOnAnEventuallyConsistentStoreElectOneFounder() throws Exception {
        // Real time here: the nodes wait out the propagation bound.
        InMemoryBootstrapStore store = InMemoryBootstrapStore.eventual(Duration.ofMillis(300));
        mesh = MeshHarness.builder().store(store).caProvider(new TestDoubleCertificateAuthorityProvider())
                .caKeyCodec(salt -> codec).joinTimeout(Duration.ofSeconds(30)).build();
        List<NodeStatus> results = mesh.joinAll(mesh.names("edge", 10));
        assertThat(results).allSatisfy(s -> assertThat(s.state()).as(s.detail()).isEqualTo(NodeState.READY));
        assertThat(results.stream().filter(NodeStatus::founder).count()).isEqualTo(1);
        assertThat(results.stream().map(s -> s.address().orElseThrow().address()).distinct().count()).isEqualTo(10);
    }

    @Test
    void storeOperationsPerJoinStayFew() {
        InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
        MeshHarness h = harness(store);
        h.node("founder").join();
        java.util.Map<String, Long> founder = store.operationCounts();
        h.node("joiner").join();
        java.util.Map<String, Long> after = store.operationCounts();
        java.util.Map<String, Long> joiner = new java.util.TreeMap<>();
        after.forEach((k, v) -> joiner.put(k, v - founder.getOrDefault(k, 0L)));
        System.out.println("store operations per join: founder " + founder + "; joiner " + joiner);
        assertMatchesReadme("founder, etcd / file store / Durable Object", founder);
        assertMatchesReadme("joiner, etcd / file store / Durable Object", joiner);
    }

    /** The README's per-join row, exactly: reads, writes by kind, lists. */
    private static void assertMatchesReadme(String row, java.util.Map<String, Long> measured) {
        ReadmeJoinTable.Row promised = ReadmeJoinTable.row(row);
        long putIfAbsent = measured.getOrDefault("putIfAbsent", 0L);
        long compareAndSet = measured.getOrDefault("compareAndSet", 0L);
        long delete = measured.getOrDefault("delete", 0L);
        assertThat(measured.getOrDefault("get", 0L)).as(row + ": reads").isEqualTo(promised.reads().total());
        assertThat(putIfAbsent + compareAndSet + delete).as(row + ": writes").isEqualTo(promised.writes().total());
        assertThat(putIfAbsent).as(row + ": put-if-absent").isEqualTo(promised.writes().part("put-if-absent"));
        assertThat(compareAndSet).as(row + ": compare-and-set").isEqualTo(promised.writes().part("compare-and-set"));
        assertThat(delete).as(row + ": delete").isEqualTo(promised.writes().part("delete"));
        assertThat(measured.getOrDefault("list", 0L)).as(row + ": lists").isEqualTo(promised.lists().total());
    }

    @Test
    void aTamperedNetworkRecordFailsTheJoinWithAClearErrorAndIsLeftAlone() {
        InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
        MeshHarness h = harness(store);
        h.node("lh").join();
        Entry good = store.get("mesh/test/network").orElseThrow();
        byte[] tampered = good.text().replace("\"schema\":1", "\"schema\":7").getBytes(StandardCharsets.UTF_8);
        Entry bad = store.compareAndSet("mesh/test/network", good.version(), tampered).orElseThrow();

        NodeStatus s = h.node("victim").join();

        assertThat(s.state()).isEqualTo(NodeState.FAILED);
        assertThat(s.detail()).contains("mesh/test/network").contains("schema version 7").contains("Upgrade meshjoin");
        assertThat(store.get("mesh/test/network").orElseThrow()).isEqualTo(bad);
        assertThat(store.get("mesh/test/members/victim")).isEmpty();
    }
}
