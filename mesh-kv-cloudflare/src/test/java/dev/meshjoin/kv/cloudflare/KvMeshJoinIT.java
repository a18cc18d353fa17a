package dev.meshjoin.kv.cloudflare;

import dev.meshjoin.core.secret.SecretCodecs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.cloudflare.LocalKvServer;
import dev.meshjoin.testkit.cloudflare.LocalKvServer.RequestKind;
import dev.meshjoin.testkit.harness.MeshHarness;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Nodes join through {@link CloudflareKvStore} against a local server that behaves as Workers KV
 * at its worst: a write is invisible to everyone, its writer included, for the propagation delay,
 * and a key takes one write per second.
 */
class KvMeshJoinIT {
    private static final Duration DELAY = Duration.ofSeconds(2);
    private LocalKvServer kv;
    private MeshHarness mesh;

    private MeshHarness harness() {
        kv = LocalKvServer.builder().token("kv-token").propagationDelay(DELAY).build();
        mesh = MeshHarness.builder()
                .storeFactory(name -> CloudflareKvStore.builder().baseUrl(kv.baseUrl()).accountId(kv.accountId())
                        .namespaceId(kv.namespaceId()).apiToken("kv-token").propagationBound(DELAY).build())
                .caProvider(new TestDoubleCertificateAuthorityProvider())
                .caKeyCodec(SecretCodecs.passphrase("kv-ca-passphrase".toCharArray()))
                .joinTimeout(Duration.ofSeconds(60)).build();
        return mesh;
    }

    @AfterEach
    void tearDown() {
        if (mesh != null) {
            mesh.close();
        }
        if (kv != null) {
            kv.close();
        }
    }

    @Test
    void tenNodesJoinAtOnceWithOneFounderAndTenDistinctAddresses() throws Exception {
        MeshHarness h = harness();
        List<NodeStatus> all = h.joinAll(h.names("kv", 10));
        assertThat(all).allSatisfy(s -> assertThat(s.state()).as(s.detail()).isEqualTo(NodeState.READY));
        assertThat(all.stream().filter(NodeStatus::founder).count()).isEqualTo(1);
        assertThat(all.stream().map(s -> s.address().orElseThrow().address()).distinct().count()).isEqualTo(10);
    }

    @Test
    void storeRequestsPerJoin() throws Exception {
        MeshHarness h = harness();
        kv.resetCounts();
        assertThat(h.node("founder").join().state()).isEqualTo(NodeState.READY);
        Map<RequestKind, Integer> founder = counts();
        Thread.sleep(DELAY.toMillis());
        kv.resetCounts();
        assertThat(h.node("joiner").join().state()).isEqualTo(NodeState.READY);
        Map<RequestKind, Integer> joiner = counts();
        System.out.println("KV requests per join: founder " + founder + "; joiner (with the lighthouse's share) " + joiner);
        assertThat(founder.get(RequestKind.PUT)).isPositive();
        assertThat(joiner.get(RequestKind.PUT)).isPositive();
    }

    private Map<RequestKind, Integer> counts() {
        Map<RequestKind, Integer> m = new EnumMap<>(RequestKind.class);
        for (RequestKind k : RequestKind.values()) {
            m.put(k, kv.requests(k));
        }
        return m;
    }
}
