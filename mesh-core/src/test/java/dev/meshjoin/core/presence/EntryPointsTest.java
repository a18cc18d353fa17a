package dev.meshjoin.core.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.secret.SecretCodec;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.core.address.PublicAddressDetector;
import dev.meshjoin.core.record.EntryPointRecord;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.MemberRecord;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.core.testing.MeshHarness;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EntryPointsTest {
    private final MutableClock clock = MutableClock.startingNow();
    private final List<ServerSocket> listeners = new ArrayList<>();
    private MeshHarness mesh;

    @BeforeEach
    void setUp() {
        SecretCodec codec = new SecretCodec() {
            @Override public String name() { return "identity-test-double"; }
            @Override public String currentKeyId() { return "t"; }
            @Override public byte[] seal(byte[] p, byte[] aad) { return p.clone(); }
            @Override public byte[] open(byte[] s, byte[] aad) { return s.clone(); }
            @Override public String keyIdOf(byte[] s) { return "t"; }
        };
        mesh = MeshHarness.builder().store(InMemoryBootstrapStore.linearizable(clock)).clock(clock)
                .caProvider(new TestDoubleCertificateAuthorityProvider(clock)).caKeyCodec(salt -> codec).build();
    }

    @AfterEach
    void tearDown() throws IOException {
        mesh.close();
        for (ServerSocket s : listeners) {
            s.close();
        }
    }

    /** A port that accepts (and closes) every connection, as a served entry point does. */
    private int listeningPort() throws IOException {
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        listeners.add(s);
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try (Socket accepted = s.accept()) {
                    accepted.getInputStream().available();
                } catch (IOException e) {
                    // closed
                }
            }
        }, "accept-" + s.getLocalPort());
        t.setDaemon(true);
        t.start();
        return s.getLocalPort();
    }

    /** Loopback stands in for the public address here, so the test can connect to what is advertised. */
    private MeshNode entryNode(String name, int port) {
        return mesh.node(name, b -> b.heartbeat(Duration.ofMinutes(30)).publicEndpoint(null)
                .entryPoint(new EntryPointSpec(port, List.of("https")))
                .publicAddressDetector(PublicAddressDetector.builder().configured("127.0.0.1").allow("127.0.0.0/8").build()));
    }

    private List<EntryPointRecord> live() {
        return new EntryPoints(mesh.store(), dev.meshjoin.core.record.StoreKeys.of("test"), clock).live();
    }

    /** The lighthouse polls every 15 s, so it drops a member silent for a minute. */
    private MeshNode lighthouse() {
        MeshNode lh = mesh.node("lh", b -> b.pollInterval(Duration.ofSeconds(15)));
        lh.join();
        return lh;
    }

    @Test
    void publishedEntryPointsListAndTheirPortsAcceptConnections() throws IOException {
        lighthouse();
        assertThat(entryNode("edge-a", listeningPort()).join().state()).isEqualTo(NodeState.READY);
        assertThat(entryNode("edge-b", listeningPort()).join().state()).isEqualTo(NodeState.READY);

        List<EntryPointRecord> live = live();
        assertThat(live).extracting(EntryPointRecord::node).containsExactly("edge-a", "edge-b");
        for (EntryPointRecord r : live) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(r.publicAddress(), r.port()), 1000);
                assertThat(s.isConnected()).isTrue();
            }
            assertThat(r.overlayAddress()).startsWith("10.42.");
            assertThat(r.services()).containsExactly("https");
        }
    }

    @Test
    void aCleanLeaveDropsTheEntryPointAtOnceAndASilentNodeWithinAMinute() throws IOException {
        MeshNode lh = lighthouse();
        MeshNode leaving = entryNode("leaving", listeningPort());
        MeshNode killed = entryNode("killed", listeningPort());
        MeshNode alive = entryNode("alive", listeningPort());
        leaving.join();
        killed.join();
        alive.join();
        assertThat(live()).hasSize(3);

        leaving.leave();
        assertThat(live()).extracting(EntryPointRecord::node).containsExactly("alive", "killed");

        // "killed" polls no more, as a dead process would not; "alive" keeps polling.
        clock.advance(Duration.ofSeconds(45));
        alive.follower().orElseThrow().tick();
        lh.follower().orElseThrow().tick();
        assertThat(live()).extracting(EntryPointRecord::node).containsExactly("alive", "killed");
        clock.advance(Duration.ofSeconds(20));
        alive.follower().orElseThrow().tick();
        lh.follower().orElseThrow().tick();
        assertThat(live()).extracting(EntryPointRecord::node).containsExactly("alive");
        assertThat(killed.status().state()).isEqualTo(NodeState.READY);
    }

    @Test
    void aPortNothingListensOnIsNeverAdvertised() throws IOException {
        lighthouse();
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = s.getLocalPort();
        s.close();
        MeshNode n = entryNode("liar", port);
        assertThat(n.join().state()).isEqualTo(NodeState.READY);
        assertThat(live()).isEmpty();
        assertThat(n.publishesEntryPoint()).isFalse();
    }

    @Test
    void twentyNodesPublishingAtOnceLoseNoUpdate() throws Exception {
        lighthouse();
        int port = listeningPort();
        List<String> names = mesh.names("edge", 20);
        List<NodeStatus> all = new ArrayList<>();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(20);
        try {
            var latch = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<NodeStatus>> fs = new ArrayList<>();
            for (String name : names) {
                MeshNode node = entryNode(name, port);
                fs.add(pool.submit(() -> {
                    latch.await();
                    return node.join();
                }));
            }
            latch.countDown();
            for (var f : fs) {
                all.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(all).allSatisfy(st -> assertThat(st.state()).isEqualTo(NodeState.READY));
        assertThat(live()).extracting(EntryPointRecord::node).containsExactlyInAnyOrderElementsOf(names);
    }

    @Test
    void pollsRefreshLastSeenInMemoryAndTheStoreOnlyOncePerInterval() throws IOException {
        MeshNode lh = lighthouse();
        MeshNode n = entryNode("beating", listeningPort());
        n.join();
        EntryPointRecord before = live().get(0);
        MemberRecord member = Json.read(mesh.store().get("mesh/test/members/beating").orElseThrow().value(),
                MemberRecord.class, "m");
        long writes = writes();
        for (int i = 0; i < 119; i++) {
            clock.advance(Duration.ofSeconds(15));
            n.follower().orElseThrow().tick();
            if (i % 3 == 0) {
                lh.follower().orElseThrow().tick();
            }
        }
        assertThat(writes()).as("nothing written in the first 29 3/4 minutes").isEqualTo(writes);
        assertThat(live().get(0).expiresAt()).isEqualTo(before.expiresAt());
        clock.advance(Duration.ofSeconds(15));
        n.follower().orElseThrow().tick();
        lh.follower().orElseThrow().tick();
        assertThat(writes()).as("one aggregated write at 30 minutes").isEqualTo(writes + 1);
        assertThat(live().get(0).expiresAt()).isEqualTo(before.expiresAt().plus(Duration.ofMinutes(30)));
        assertThat(Json.read(mesh.store().get("mesh/test/members/beating").orElseThrow().value(), MemberRecord.class,
                "m")).as("the member record is not touched").isEqualTo(member);
    }

    private long writes() {
        var c = mesh.store().operationCounts();
        return c.getOrDefault("putIfAbsent", 0L) + c.getOrDefault("compareAndSet", 0L) + c.getOrDefault("delete", 0L);
    }
}
