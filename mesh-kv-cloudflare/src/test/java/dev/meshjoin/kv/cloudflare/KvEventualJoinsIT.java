package dev.meshjoin.kv.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.NetworkRecord;
import dev.meshjoin.testkit.cloudflare.LocalKvServer;
import dev.meshjoin.testkit.cloudflare.LocalKvServer.RequestKind;
import dev.meshjoin.core.testing.MeshHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The core on Workers KV at its worst, each reproducing a failure of the first KV path: every node
 * at its own Cloudflare location, a write invisible (its writer's location included) for a delay
 * plus jitter, "not found" cached per location, one write per second per key, the account's API
 * rate limit. The bound is short (2 s) so the tests stay fast; the rate-limit window is scaled with
 * it (5 minutes at Cloudflare's 60 s bound is 10 s at 2 s).
 */
class KvEventualJoinsIT {
    private static final Duration BOUND = Duration.ofSeconds(2);
    /** Cloudflare's 5-minute rate-limit window, scaled by BOUND / 60 s. */
    private static final Duration WINDOW = Duration.ofMinutes(5).multipliedBy(BOUND.toMillis()).dividedBy(60_000);
    private LocalKvServer kv;
    private MeshHarness mesh;
    private final Map<String, NodeStatus> statuses = new ConcurrentHashMap<>();

    private MeshHarness harness() {
        return harness(Duration.ofMillis(1000), BOUND);
    }

    /** A server whose writes take {@code delay} plus up to 0.5 s jitter, nodes declaring {@code bound}. */
    private MeshHarness harness(Duration delay, Duration bound) {
        kv = LocalKvServer.builder().token(KvMeshes.TOKEN)
                .propagationDelay(delay).jitter(Duration.ofMillis(500))
                .negativeCacheTtl(Duration.ofMillis(400))
                .accountRateLimit(1200, WINDOW, WINDOW).build();
        mesh = KvMeshes.harness(kv, bound, true, Duration.ofSeconds(90));
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

    private CompletableFuture<NodeStatus> joinLater(MeshHarness h, String name, boolean lighthouse) {
        return CompletableFuture.supplyAsync(() -> {
            NodeStatus s = h.node(name, b -> b.lighthouse(lighthouse)).join();
            statuses.put(name, s);
            return s;
        });
    }

    private NetworkRecord record() {
        return Json.read(kv.latestValue(kv.namespaceId(), "mesh/test/network"), NetworkRecord.class, "mesh/test/network");
    }

    /** Waits until the key has been written (visible or not); returns System.nanoTime() then. */
    private long awaitWritten(String key) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (kv.latestValue(kv.namespaceId(), key) == null && System.nanoTime() < until) {
            Thread.sleep(2);
        }
        return System.nanoTime();
    }

    /** A reader at a location of its own, once everything written is visible there. */
    private CloudflareKvStore observer() throws InterruptedException {
        Thread.sleep(BOUND.multipliedBy(4).toMillis()); // past the slowest delay used here, 3.5 s
        return CloudflareKvStore.builder().baseUrl(kv.baseUrl("observer")).accountId(kv.accountId())
                .namespaceId(kv.namespaceId()).apiToken(KvMeshes.TOKEN).propagationBound(BOUND).build();
    }

    @Test
    void twoFoundersWhoseSecondNetworkPutIsAnswered429EndWithOneNetworkThatServes() throws Exception {
        // Writes take 3 s to show, so b can still miss a's claim after KV's one-write-per-second slot.
        MeshHarness h = harness(Duration.ofSeconds(3), Duration.ofSeconds(4));
        // The second write of the network record, whoever makes it, meets KV's one-write-per-second limit.
        kv.keyWriteLimit("mesh/test/network", 1, 1);
        CompletableFuture<NodeStatus> a = joinLater(h, "a", false);
        long claimed = awaitWritten("mesh/test/founder");
        // b competes once the claim's write slot is free, while a's claim is still invisible everywhere.
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(claimed + 1_100_000_000L - System.nanoTime())));
        List<CompletableFuture<NodeStatus>> all = new ArrayList<>(List.of(a, joinLater(h, "b", false)));
        for (int i = 0; i < 4; i++) {
            all.add(joinLater(h, "j" + i, false));
        }
        for (CompletableFuture<NodeStatus> f : all) {
            f.get(120, TimeUnit.SECONDS);
        }

        assertThat(statuses.values()).allSatisfy(s -> assertThat(s.state()).as(s.detail()).isEqualTo(NodeState.READY));
        assertThat(kv.requests(RequestKind.REFUSED)).as("the second network PUT was answered 429").isEqualTo(1);
        NetworkRecord rec = record();
        assertThat(rec.lighthouses()).singleElement().satisfies(lh -> {
            NodeStatus s = statuses.get(lh.name());
            assertThat(s.state()).isEqualTo(NodeState.READY);
            assertThat(s.founder()).as("the lighthouse the record names is the founder that serves").isTrue();
        });
        assertThat(statuses.values().stream().filter(NodeStatus::founder).count()).isEqualTo(1);
        assertThat(statuses.values().stream().map(s -> s.address().orElseThrow().address()).distinct()).hasSize(6);
        try (CloudflareKvStore o = observer()) {
            assertThat(o.list("mesh/test/ca/")).as("the losing founder removed its sealed CA key")
                    .extracting(KeyVersion::key).containsExactly("mesh/test/ca/" + rec.caFingerprint() + "/key");
        }
    }

    @Test
    void twoLighthousesOnOneEventualStoreHandOutTwentyDistinctAddresses() throws Exception {
        // Writes take 6 s to show: each lighthouse's fresh leases stay hidden from the other.
        MeshHarness h = harness(Duration.ofSeconds(6), Duration.ofSeconds(7));
        assertThat(joinLater(h, "lh1", false).get(60, TimeUnit.SECONDS).state()).isEqualTo(NodeState.READY);
        assertThat(joinLater(h, "lh2", true).get(60, TimeUnit.SECONDS).state()).isEqualTo(NodeState.READY);
        Thread.sleep(Duration.ofSeconds(7).toMillis()); // the record naming both is visible everywhere

        // Four waves of five: a later wave comes after KV's per-key write slot, so only the slices
        // keep the two lighthouses apart (their fresh leases are still hidden from each other).
        List<NodeStatus> joined = new ArrayList<>();
        for (int wave = 0; wave < 4; wave++) {
            joined.addAll(h.joinAll(h.names("w" + wave + "-", 5)));
        }
        List<String> addresses = joined.stream().map(s -> s.address().orElseThrow().address().toString()).toList();
        assertThat(addresses).doesNotHaveDuplicates().hasSize(20)
                .doesNotContain(statuses.get("lh1").address().orElseThrow().address().toString(),
                        statuses.get("lh2").address().orElseThrow().address().toString());
        // Both lighthouses allocated, each from its own slice: 10.42.0.0/17 and 10.42.128.0/18.
        assertThat(addresses).anyMatch(a -> Integer.parseInt(a.split("\\.")[2]) < 128)
                .anyMatch(a -> Integer.parseInt(a.split("\\.")[2]) >= 128);
        assertThat(record().lighthouses()).hasSize(2);
    }

    @Test
    void aLighthouseRestartedWithinTheBoundDoesNotHandOutAnAddressAgain() throws Exception {
        // Writes take 6 s to show: longer than w1 takes to become READY and the lighthouse to restart.
        MeshHarness h = harness(Duration.ofSeconds(6), Duration.ofSeconds(7));
        assertThat(joinLater(h, "lh", false).get(60, TimeUnit.SECONDS).state()).isEqualTo(NodeState.READY);
        NodeStatus first = joinLater(h, "w1", false).get(60, TimeUnit.SECONDS);
        assertThat(first.state()).isEqualTo(NodeState.READY);

        // At once, while w1's lease may still be invisible: the lighthouse restarts, and w2 joins.
        CompletableFuture<NodeStatus> restarted = joinLater(h, "lh", false);
        NodeStatus second = joinLater(h, "w2", false).get(90, TimeUnit.SECONDS);

        assertThat(restarted.get(60, TimeUnit.SECONDS).state()).isEqualTo(NodeState.READY);
        assertThat(second.state()).as(second.detail()).isEqualTo(NodeState.READY);
        assertThat(second.address().orElseThrow().address()).isNotEqualTo(first.address().orElseThrow().address())
                .isNotEqualTo(statuses.get("lh").address().orElseThrow().address());
    }

    @Test
    void twentyNodesStartingTogetherAllJoinFarUnderTheAccountsRateLimit() throws Exception {
        MeshHarness h = harness();

        List<NodeStatus> all = h.joinAll(h.names("n", 20));

        assertThat(all).allSatisfy(s -> assertThat(s.state()).as(s.detail()).isEqualTo(NodeState.READY));
        assertThat(all.stream().filter(NodeStatus::founder).count()).isEqualTo(1);
        assertThat(all.stream().map(s -> s.address().orElseThrow().address()).distinct()).hasSize(20);
        int peak = kv.peakRequests(WINDOW);
        System.out.println("20 nodes starting together: " + kv.totalRequests() + " KV requests in all, at most " + peak
                + " within any " + WINDOW.toMillis() + " ms (Cloudflare's 5 minutes scaled by the " + BOUND
                + " bound), " + kv.rateLimitBlocks() + " rate-limit blocks");
        printRequestsByKey();
        assertThat(peak).isLessThan(600);
        assertThat(kv.rateLimitBlocks()).isZero();
    }

    /** Which keys the requests went to (node names and addresses folded), for when the budget is exceeded. */
    private void printRequestsByKey() {
        Map<String, Long> byKey = new java.util.TreeMap<>();
        for (String r : kv.requestLog()) {
            String k = r.replaceAll("/accounts/[^/]+/storage/kv/namespaces/[^/]+", "").replaceAll("\\?.*", "")
                    .replaceAll("n-\\d+", "*").replaceAll("10\\.42\\.[0-9.]+", "*");
            byKey.merge(k, 1L, Long::sum);
        }
        byKey.forEach((k, v) -> System.out.println("  " + v + " " + k));
    }
}
