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
import dev.meshjoin.testkit.harness.MeshHarness;
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

    private int listeningPort() throws IOException {
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        listeners.add(s);
        return s.getLocalPort();
    }

    /** Loopback stands in for the public address here, so the test can connect to what is advertised. */
    private MeshNode entryNode(String name, int port) {
        return mesh.node(name, b -> b.heartbeat(Duration.ofMinutes(30))
                .entryPoint(new EntryPointSpec(port, List.of("https")))
                .publicAddressDetector(PublicAddressDetector.builder().configured("127.0.0.1").allow("127.0.0.0/8").build()));
    }

    private List<EntryPointRecord> live() {
        return new EntryPoints(mesh.store(), dev.meshjoin.core.record.StoreKeys.of("test"), clock).live();
    }

    @Test
    void publishedEntryPointsListAndTheirPortsAcceptConnections() throws IOException {
        mesh.node("lh").join();
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
    void aCleanLeaveRemovesTheRecordAndAKilledNodeExpires() throws IOException {
        mesh.node("lh").join();
        MeshNode leaving = entryNode("leaving", listeningPort());
        MeshNode killed = entryNode("killed", listeningPort());
        leaving.join();
        killed.join();
        assertThat(live()).hasSize(2);

        leaving.leave();
        assertThat(mesh.store().get("mesh/test/entry/leaving")).isEmpty();
        assertThat(live()).extracting(EntryPointRecord::node).containsExactly("killed");

        // "killed" never writes again, as a dead process would not: its record outlives it by at most 3 heartbeats.
        clock.advance(Duration.ofMinutes(89));
        assertThat(live()).extracting(EntryPointRecord::node).containsExactly("killed");
        clock.advance(Duration.ofMinutes(2));
        assertThat(live()).isEmpty();
        assertThat(killed.status().state()).isEqualTo(NodeState.READY);
    }

    @Test
    void aPortNothingListensOnIsNeverAdvertised() throws IOException {
        mesh.node("lh").join();
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = s.getLocalPort();
        s.close();
        MeshNode n = entryNode("liar", port);
        assertThat(n.join().state()).isEqualTo(NodeState.READY);
        assertThat(live()).isEmpty();
        assertThat(n.presence().orElseThrow().published()).isFalse();
    }

    @Test
    void twentyNodesPublishingAtOnceLoseNoUpdate() throws Exception {
        mesh.node("lh").join();
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
    void aHeartbeatRefreshesLastSeenAndTheEntryPointExpiry() throws IOException {
        mesh.node("lh").join();
        MeshNode n = entryNode("beating", listeningPort());
        n.join();
        MemberRecord before = Json.read(mesh.store().get("mesh/test/members/beating").orElseThrow().value(), MemberRecord.class, "m");
        EntryPointRecord epBefore = live().get(0);
        clock.advance(Duration.ofMinutes(30));
        n.presence().orElseThrow().beat();
        MemberRecord after = Json.read(mesh.store().get("mesh/test/members/beating").orElseThrow().value(), MemberRecord.class, "m");
        assertThat(after.lastSeen()).isEqualTo(before.lastSeen().plus(Duration.ofMinutes(30)));
        assertThat(live().get(0).expiresAt()).isEqualTo(epBefore.expiresAt().plus(Duration.ofMinutes(30)));
    }
}
