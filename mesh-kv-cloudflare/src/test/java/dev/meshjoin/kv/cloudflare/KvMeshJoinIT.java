package dev.meshjoin.kv.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.core.lighthouse.LighthouseWatch;
import dev.meshjoin.testkit.cloudflare.LocalKvServer;
import dev.meshjoin.testkit.cloudflare.LocalKvServer.RequestKind;
import dev.meshjoin.testkit.harness.MeshHarness;
import dev.meshjoin.testkit.harness.ReadmeJoinTable;
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
        return harness(LocalKvServer.builder());
    }

    private MeshHarness harness(LocalKvServer.Builder server) {
        kv = server.token(KvMeshes.TOKEN).propagationDelay(DELAY).build();
        mesh = KvMeshes.harness(kv, DELAY, false, Duration.ofSeconds(60));
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
        // The founder's lighthouse watch reads the network record every interval; pushed past the test
        // so that its reads do not fall into the joiner's window at random.
        LighthouseWatch.Settings quiet = new LighthouseWatch.Settings(Duration.ofHours(1),
                LighthouseWatch.Settings.DEFAULTS.grace(), LighthouseWatch.Settings.DEFAULTS.target(),
                LighthouseWatch.Settings.DEFAULTS.promotionLease());
        assertThat(h.node("founder", b -> b.lighthouseWatch(quiet)).join().state()).isEqualTo(NodeState.READY);
        Map<RequestKind, Integer> founder = counts();
        Thread.sleep(DELAY.toMillis());
        kv.resetCounts();
        assertThat(h.node("joiner").join().state()).isEqualTo(NodeState.READY);
        Map<RequestKind, Integer> joiner = counts();
        System.out.println("KV requests per join: founder " + founder + "; joiner (with the lighthouse's share) " + joiner);
        assertMatchesReadme("founder, Workers KV", founder);
        assertMatchesReadme("joiner, Workers KV", joiner);
    }

    /** The README's per-join row, exactly: metadata and value reads, PUTs and DELETEs, lists. */
    private static void assertMatchesReadme(String row, Map<RequestKind, Integer> measured) {
        ReadmeJoinTable.Row promised = ReadmeJoinTable.row(row);
        long metadata = measured.get(RequestKind.GET_METADATA);
        long values = measured.get(RequestKind.GET_VALUE);
        long puts = measured.get(RequestKind.PUT);
        long deletes = measured.get(RequestKind.DELETE);
        assertThat(metadata + values).as(row + ": reads").isEqualTo(promised.reads().total());
        assertThat(metadata).as(row + ": metadata reads").isEqualTo(promised.reads().part("metadata"));
        assertThat(values).as(row + ": value reads")
                .isEqualTo(promised.reads().part("values") + promised.reads().part("value"));
        assertThat(puts + deletes).as(row + ": writes").isEqualTo(promised.writes().total());
        assertThat(puts).as(row + ": PUT").isEqualTo(promised.writes().part("PUT"));
        assertThat(deletes).as(row + ": DELETE").isEqualTo(promised.writes().part("DELETE"));
        assertThat((long) measured.get(RequestKind.LIST)).as(row + ": lists").isEqualTo(promised.lists().total());
        assertThat((long) measured.get(RequestKind.REFUSED)).as(row + ": refused requests").isZero();
    }

    @Test
    void aJoinFailsAtOnceWhenTheFreeTiersDailyWritesAreUsedUp() {
        // The day's writes are gone (0 left); reads still work, so the node gets as far as its first write.
        MeshHarness h = harness(LocalKvServer.builder().freeTier(100_000, 0, 1_000, 1_000));
        long t0 = System.nanoTime();
        NodeStatus s = h.node("founder").join();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(s.state()).isEqualTo(NodeState.FAILED);
        assertThat(s.detail()).contains("the Cloudflare free tier's daily writes are used up; they reset at 00:00 UTC");
        assertThat(took).as("at once, not after retries or the join timeout").isLessThan(Duration.ofSeconds(5));
        assertThat(kv.requests(RequestKind.PUT)).as("one write, refused, not retried").isEqualTo(1);
        assertThat(kv.latestValue(kv.namespaceId(), "mesh/test/founder")).isNull();
    }

    private Map<RequestKind, Integer> counts() {
        Map<RequestKind, Integer> m = new EnumMap<>(RequestKind.class);
        for (RequestKind k : RequestKind.values()) {
            m.put(k, kv.requests(k));
        }
        return m;
    }
}
