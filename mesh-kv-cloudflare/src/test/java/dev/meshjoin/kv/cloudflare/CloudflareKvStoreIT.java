package dev.meshjoin.kv.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.api.store.StoreLimitException;
import dev.meshjoin.testkit.cloudflare.LocalKvServer;
import dev.meshjoin.testkit.cloudflare.LocalKvServer.RequestKind;
import dev.meshjoin.testkit.time.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** CloudflareKvStore against the local KV REST server: paging, retries, errors, limits, propagation. */
class CloudflareKvStoreIT {
    private static final String TOKEN = "s3cret-api-token-value";

    private final MutableClock clock = MutableClock.startingNow();
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private LocalKvServer server;
    private CloudflareKvStore store;

    @AfterEach
    void tearDown() {
        if (store != null) {
            store.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private CloudflareKvStore.Builder storeFor(LocalKvServer s) {
        return CloudflareKvStore.builder()
                .baseUrl(s.baseUrl())
                .accountId(s.accountId())
                .namespaceId(s.namespaceId())
                .apiToken(TOKEN)
                .clock(clock)
                .backoff(Duration.ofMillis(5), Duration.ofMillis(40))
                // Record each wait, then really wait (the short backoff keeps tests quick).
                .sleeper(d -> {
                    sleeps.add(d);
                    Thread.sleep(Math.min(d.toMillis(), 50));
                });
    }

    private void start(LocalKvServer.Builder sb) {
        server = sb.token(TOKEN).build();
        store = storeFor(server).build();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void listingPagesThrough2500Keys() {
        // Distinct keys: the per-key write limit stays on; 2,500 writes need no account rate limit.
        start(LocalKvServer.builder().clock(clock).accountRateLimit(0, Duration.ofMinutes(5), Duration.ofMinutes(5)));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            String key = String.format("mesh/page/%05d", i);
            expected.add(key);
            assertThat(store.putIfAbsent(key, bytes("v" + i))).isPresent();
        }
        store.putIfAbsent("mesh/pagf", bytes("outside the prefix"));
        server.resetCounts();

        List<KeyVersion> listed = store.list("mesh/page/");

        assertThat(listed).extracting(KeyVersion::key).containsExactlyElementsOf(expected);
        assertThat(listed).allSatisfy(kv -> assertThat(kv.version()).isPositive());
        assertThat(server.requests(RequestKind.LIST)).isEqualTo(3);
        assertThat(server.requestLog()).filteredOn(l -> l.contains("cursor=")).hasSize(2);
    }

    @Test
    void a429WithRetryAfterIsWaitedOut() {
        start(LocalKvServer.builder().clock(clock));
        server.rateLimitNext(2, 3);

        assertThat(store.putIfAbsent("mesh/limited", bytes("v"))).isPresent();

        // Two 429s, each waited out for the 3 s the server asked for (less what the backoff took), then success.
        assertThat(sleeps).hasSize(2).allSatisfy(d -> assertThat(d.toMillis()).isBetween(2_500L, 3_000L));
        assertThat(server.requests(RequestKind.REFUSED)).isEqualTo(2);
        assertThat(server.latestValue(server.namespaceId(), "mesh/limited")).isEqualTo(bytes("v"));
    }

    @Test
    void aRetryAfterLongerThanTheCapIsCut() {
        server = LocalKvServer.builder().clock(clock).token(TOKEN).build();
        store = storeFor(server).maxRetryAfter(Duration.ofSeconds(10)).build();
        server.rateLimitNext(1, 3600);
        assertThat(store.get("mesh/absent")).isEmpty();
        assertThat(sleeps).singleElement().satisfies(d -> assertThat(d.toMillis()).isBetween(9_500L, 10_000L));
    }

    @Test
    void a503IsRetriedByTheOneRetryLoop() {
        start(LocalKvServer.builder().clock(clock));
        store.putIfAbsent("mesh/k", bytes("v"));
        server.resetCounts();
        server.failNext(3);

        assertThat(store.get("mesh/k")).map(Entry::text).contains("v");

        // Three refused, then metadata and value: the backoff (5..40 ms) is the policy's, no Retry-After wait.
        assertThat(server.requests(RequestKind.REFUSED)).isEqualTo(3);
        assertThat(server.totalRequests()).isEqualTo(5);
        assertThat(sleeps).isEmpty();
        assertThat(store.retriesItself()).isTrue();
    }

    @Test
    void retriesAreBoundedAndTheFailureSaysSo() {
        server = LocalKvServer.builder().clock(clock).token(TOKEN).build();
        store = storeFor(server).maxAttempts(3).build();
        server.failNext(10, 502);

        assertThatThrownBy(() -> store.get("mesh/k"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("gave up after 3 attempts")
                .hasMessageContaining("HTTP 502")
                .satisfies(e -> assertThat(((StoreException) e).retryable()).isTrue());
        assertThat(server.totalRequests()).isEqualTo(3);
    }

    @Test
    void ownWritesOfAKeyAreSpacedASecondApartSoKvNeverAnswers429() throws Exception {
        // Real time here: the server's per-key limit and the store's wait both run on the system clock.
        server = LocalKvServer.builder().token(TOKEN).build();
        store = CloudflareKvStore.builder().baseUrl(server.baseUrl()).accountId(server.accountId())
                .namespaceId(server.namespaceId()).apiToken(TOKEN)
                .sleeper(d -> {
                    sleeps.add(d);
                    Thread.sleep(d.toMillis());
                }).build();
        Entry first = store.putIfAbsent("mesh/hot", bytes("1")).orElseThrow();

        Entry second = store.compareAndSet("mesh/hot", first.version(), bytes("2")).orElseThrow();

        assertThat(second.version()).isGreaterThan(first.version());
        assertThat(server.requests(RequestKind.PUT)).isEqualTo(2);
        assertThat(server.requests(RequestKind.REFUSED)).isZero();
        assertThat(sleeps).singleElement().satisfies(d -> assertThat(d.toMillis()).isBetween(500L, 1_000L));
        assertThat(store.get("mesh/hot")).map(Entry::text).contains("2");
    }

    @Test
    void aBadTokenGivesAMessageNamingTheTokenButNeverItsValue() {
        server = LocalKvServer.builder().clock(clock).token("the-right-token").build();
        store = CloudflareKvStore.builder().baseUrl(server.baseUrl()).accountId(server.accountId())
                .namespaceId(server.namespaceId())
                .fromEnvironment(Map.of(CloudflareKvStore.ENV_API_TOKEN, TOKEN))
                .build();

        assertThatThrownBy(() -> store.get("mesh/k"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("refused the API token from the environment variable CLOUDFLARE_API_TOKEN")
                .hasMessageContaining("error 10000")
                .hasMessageNotContaining(TOKEN)
                .satisfies(e -> assertThat(((StoreException) e).retryable()).isFalse());
        // Not retried: a bad token does not get better.
        assertThat(server.totalRequests()).isEqualTo(1);
        assertThat(store.toString()).doesNotContain(TOKEN);
    }

    @Test
    void anUnknownNamespaceIsNamed() {
        server = LocalKvServer.builder().clock(clock).token(TOKEN).build();
        store = storeFor(server).namespaceId("00000000000000000000000000000bad").build();
        assertThatThrownBy(() -> store.putIfAbsent("mesh/k", bytes("v")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("no Workers KV namespace with id 00000000000000000000000000000bad")
                .hasMessageContaining("CLOUDFLARE_KV_NAMESPACE_ID");
    }

    @Test
    void oversizedKeysAndValuesAreRefusedBeforeAnyRequest() {
        start(LocalKvServer.builder().clock(clock));
        String longKey = "mesh/" + "é".repeat(254); // 5 + 508 = 513 bytes, only 259 characters
        assertThatThrownBy(() -> store.putIfAbsent(longKey, bytes("v")))
                .isInstanceOf(StoreLimitException.class).hasMessageContaining("513 bytes");
        assertThatThrownBy(() -> store.get(longKey)).isInstanceOf(StoreLimitException.class);
        byte[] tooLarge = new byte[25 * 1024 * 1024 + 1];
        assertThatThrownBy(() -> store.putIfAbsent("mesh/big", tooLarge))
                .isInstanceOf(StoreLimitException.class).hasMessageContaining("26214401 bytes");
        assertThatThrownBy(() -> store.compareAndSet("mesh/big", 1, tooLarge))
                .isInstanceOf(StoreLimitException.class);
        assertThatThrownBy(() -> store.putIfAbsent("mesh/ttl", bytes("v"), Duration.ofSeconds(59)))
                .isInstanceOf(StoreLimitException.class).hasMessageContaining("time-to-live");
        assertThatThrownBy(() -> store.putIfAbsent("..", bytes("v"))).isInstanceOf(StoreLimitException.class);

        assertThat(server.totalRequests()).isZero();
        assertThat(server.requestLog()).isEmpty();
    }

    @Test
    void aValueOfExactly25MiBIsAccepted() {
        start(LocalKvServer.builder().clock(clock));
        byte[] max = new byte[25 * 1024 * 1024];
        max[max.length - 1] = 42;
        assertThat(store.putIfAbsent("mesh/max", max)).isPresent();
        assertThat(store.get("mesh/max").orElseThrow().value()).isEqualTo(max);
    }

    @Test
    void writesAppearOnlyAfterThePropagationDelay() {
        start(LocalKvServer.builder().clock(clock).propagationDelay(Duration.ofSeconds(2)));
        Entry e = store.putIfAbsent("mesh/slow", bytes("v")).orElseThrow();
        assertThat(store.get("mesh/slow")).isEmpty();
        assertThat(store.list("mesh/")).isEmpty();

        clock.advance(Duration.ofSeconds(2));
        assertThat(store.get("mesh/slow")).contains(e);
        assertThat(store.list("mesh/")).extracting(KeyVersion::version).containsExactly(e.version());
    }

    /**
     * The documented limit of KV: a conditional write is checked against what the writer can see,
     * so two writers inside the propagation bound both "win" and the later write replaces the
     * earlier. This is why the core confirms elections after the bound on an eventual store.
     */
    @Test
    void conditionalWritesAreNotAtomicWithinThePropagationBound() {
        start(LocalKvServer.builder().clock(clock).propagationDelay(Duration.ofSeconds(2)));
        assertThat(store.consistency().isLinearizable()).isFalse();
        assertThat(store.consistency().propagationBound()).isEqualTo(Duration.ofSeconds(60));

        assertThat(store.putIfAbsent("mesh/founder", bytes("a"))).isPresent();
        clock.advance(Duration.ofSeconds(1)); // past the write limit, inside the propagation delay
        assertThat(store.putIfAbsent("mesh/founder", bytes("b"))).isPresent();

        clock.advance(Duration.ofSeconds(2));
        assertThat(store.get("mesh/founder")).map(Entry::text).contains("b");
        // After the bound, the loser sees the winner: a confirming read decides.
        assertThat(store.putIfAbsent("mesh/founder", bytes("c"))).isEmpty();
    }

    @Test
    void expiredEntriesDisappearFromReadsAndListings() {
        start(LocalKvServer.builder().clock(clock));
        Entry e = store.putIfAbsent("mesh/lease", bytes("v"), Duration.ofSeconds(90)).orElseThrow();
        assertThat(e.expiresAt()).contains(java.time.Instant.ofEpochSecond(clock.instant().getEpochSecond() + 90));
        assertThat(store.list("mesh/")).singleElement()
                .satisfies(kv -> assertThat(kv.expiresAt()).isEqualTo(e.expiresAt()));
        assertThat(server.requestLog()).anyMatch(l -> l.contains("expiration_ttl=90"));

        clock.advance(Duration.ofSeconds(90));
        assertThat(store.get("mesh/lease")).isEmpty();
        assertThat(store.list("mesh/")).isEmpty();
    }

    @Test
    void subSecondTimeToLivesRoundUpToWholeSeconds() {
        start(LocalKvServer.builder().clock(clock));
        Entry e = store.putIfAbsent("mesh/ttl", bytes("v"), Duration.ofMillis(60_001)).orElseThrow();
        assertThat(server.requestLog()).anyMatch(l -> l.contains("expiration_ttl=61"));
        assertThat(e.expiresAt()).contains(java.time.Instant.ofEpochSecond(clock.instant().getEpochSecond() + 61));
    }

    @Test
    void keysWithSlashesPlusAndPercentSurviveThePath() {
        start(LocalKvServer.builder().clock(clock).writeRateLimit(false));
        for (String key : List.of("a/b/c", "plus+sign", "per%25cent", "sp ace", "q?uery#frag", "*star~")) {
            store.putIfAbsent(key, bytes(key));
            assertThat(store.get(key)).map(Entry::text).contains(key);
        }
        assertThat(store.list("")).extracting(KeyVersion::key)
                .containsExactlyInAnyOrder("a/b/c", "plus+sign", "per%25cent", "sp ace", "q?uery#frag", "*star~");
    }

    @Test
    void keysWrittenByOtherToolsReadAsVersionOne() throws Exception {
        start(LocalKvServer.builder().clock(clock));
        // A raw PUT without metadata, as `wrangler kv key put` would do.
        var http = java.net.http.HttpClient.newHttpClient();
        var put = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/accounts/"
                        + server.accountId() + "/storage/kv/namespaces/" + server.namespaceId() + "/values/foreign"))
                .header("Authorization", "Bearer " + TOKEN)
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("plain")).build();
        assertThat(http.send(put, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        Entry e = store.get("foreign").orElseThrow();
        assertThat(e.version()).isEqualTo(1);
        assertThat(e.text()).isEqualTo("plain");
        clock.advance(Duration.ofSeconds(2));
        assertThat(store.compareAndSet("foreign", 1, bytes("ours"))).isPresent();
    }

    @Test
    void countsTheRequestsOfEachOperation() {
        start(LocalKvServer.builder().clock(clock));
        store.get("mesh/absent");
        assertThat(server.totalRequests()).as("get of an absent key: metadata only").isEqualTo(1);
        server.resetCounts();
        Entry e = store.putIfAbsent("mesh/x", bytes("v")).orElseThrow();
        assertThat(server.requests(RequestKind.GET_METADATA)).isEqualTo(1);
        assertThat(server.requests(RequestKind.PUT)).isEqualTo(1);
        server.resetCounts();
        store.get("mesh/x");
        assertThat(server.requests(RequestKind.GET_METADATA)).isEqualTo(1);
        assertThat(server.requests(RequestKind.GET_VALUE)).isEqualTo(1);
        server.resetCounts();
        clock.advance(Duration.ofSeconds(1));
        Entry w = store.compareAndSet("mesh/x", e.version(), bytes("w")).orElseThrow();
        assertThat(server.totalRequests()).as("compareAndSet: metadata read, PUT").isEqualTo(2);
        server.resetCounts();
        store.list("mesh/");
        assertThat(server.totalRequests()).as("list of under 1,000 keys: one page").isEqualTo(1);
        server.resetCounts();
        clock.advance(Duration.ofSeconds(1));
        assertThat(store.delete("mesh/x", w.version())).isTrue();
        assertThat(server.requests(RequestKind.GET_METADATA)).as("delete: metadata read").isEqualTo(1);
        assertThat(server.requests(RequestKind.DELETE)).as("delete: one DELETE").isEqualTo(1);
        assertThat(server.totalRequests()).isEqualTo(2);
    }
}
