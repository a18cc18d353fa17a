package dev.meshjoin.kv.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.meshjoin.api.retry.Deadline;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.testkit.cloudflare.LocalKvServer;
import dev.meshjoin.testkit.cloudflare.LocalKvServer.RequestKind;
import dev.meshjoin.testkit.time.MutableClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The store's writes against the local KV server when answers go wrong: one PUT per check, a lost
 * answer decided by reading the metadata again, a per-key 429 taken as a lost race, the free tier
 * failing at once, every wait bounded by the caller's deadline.
 */
class CloudflareKvWritesIT {
    private static final String TOKEN = "writes-token";
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

    private void start(LocalKvServer.Builder sb) {
        server = sb.clock(clock).token(TOKEN).build();
        store = CloudflareKvStore.builder().baseUrl(server.baseUrl()).accountId(server.accountId())
                .namespaceId(server.namespaceId()).apiToken(TOKEN).clock(clock)
                .backoff(Duration.ofMillis(5), Duration.ofMillis(20))
                .sleeper(d -> {
                    sleeps.add(d);
                    Thread.sleep(Math.min(d.toMillis(), 20));
                }).build();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aPutWhoseAnswerIsLostIsDecidedByReadingTheMetadataAgainNotBySendingItAgain() {
        start(LocalKvServer.builder());
        server.loseAnswerOfNext(RequestKind.PUT, 1);

        Entry e = store.putIfAbsent("mesh/n/network", bytes("mine")).orElseThrow();

        assertThat(server.requests(RequestKind.PUT)).as("exactly one PUT").isEqualTo(1);
        assertThat(server.requests(RequestKind.GET_METADATA)).as("check, then the re-read that decides").isEqualTo(2);
        assertThat(store.get("mesh/n/network")).contains(e);
    }

    @Test
    void aCompareAndSetWhoseAnswerIsLostIsRecognisedAsItsOwnWrite() {
        start(LocalKvServer.builder().writeRateLimit(false));
        Entry first = store.putIfAbsent("mesh/k", bytes("1")).orElseThrow();
        server.resetCounts();
        server.loseAnswerOfNext(RequestKind.PUT, 1);

        Entry second = store.compareAndSet("mesh/k", first.version(), bytes("2")).orElseThrow();

        assertThat(second.version()).isGreaterThan(first.version());
        assertThat(server.requests(RequestKind.PUT)).isEqualTo(1);
        assertThat(store.get("mesh/k")).contains(second);
    }

    @Test
    void aPerKeyLimitOnAConditionalWriteIsALostRaceAndIsNotSentAgain() {
        start(LocalKvServer.builder());
        server.keyWriteLimitNext(1);

        assertThat(store.putIfAbsent("mesh/n/network", bytes("late founder"))).as("a conflict").isEmpty();

        assertThat(server.requests(RequestKind.REFUSED)).as("the one PUT, answered 429").isEqualTo(1);
        assertThat(server.requests(RequestKind.PUT)).as("never re-sent").isZero();
        assertThat(server.latestValue(server.namespaceId(), "mesh/n/network")).isNull();
        assertThat(sleeps).as("no Retry-After wait for a lost race").isEmpty();
    }

    @Test
    void aPutRefusedWith503IsFollowedByAFreshCheckBeforeTheNextPut() {
        start(LocalKvServer.builder());
        server.failNextOf(RequestKind.PUT, 1, 503);

        assertThat(store.putIfAbsent("mesh/k", bytes("v"))).isPresent();

        assertThat(server.requests(RequestKind.REFUSED)).isEqualTo(1);
        assertThat(server.requests(RequestKind.PUT)).isEqualTo(1);
        assertThat(server.requests(RequestKind.GET_METADATA)).as("one check per PUT").isEqualTo(2);
    }

    @Test
    void aDeleteWhoseAnswerIsLostReportsTheDeletion() {
        start(LocalKvServer.builder().writeRateLimit(false));
        Entry e = store.putIfAbsent("mesh/k", bytes("v")).orElseThrow();
        server.loseAnswerOfNext(RequestKind.DELETE, 1);
        assertThat(store.delete("mesh/k", e.version())).isTrue();
        assertThat(server.requests(RequestKind.DELETE)).isEqualTo(1);
        assertThat(store.get("mesh/k")).isEmpty();
    }

    @Test
    void theFreeTierUsedUpFailsAtOnceWithAMessageThatSaysWhenItResets() {
        start(LocalKvServer.builder().freeTier(100_000, 1, 1_000, 1_000));
        store.putIfAbsent("mesh/a", bytes("1"));
        server.resetCounts();
        long t0 = System.nanoTime();

        assertThatThrownBy(() -> store.putIfAbsent("mesh/b", bytes("2")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("the Cloudflare free tier's daily writes are used up; they reset at 00:00 UTC")
                .hasMessageContaining("10048")
                .satisfies(e -> assertThat(((StoreException) e).retryable()).isFalse());

        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        assertThat(server.totalRequests()).as("check and one refused PUT, no retry").isEqualTo(2);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void anAccountRateLimitBlockLongerThanTheDeadlineFailsAtOnce() {
        start(LocalKvServer.builder());
        server.rateLimitNext(1, 300);
        long t0 = System.nanoTime();
        try (Deadline.Scope s = Deadline.after(Duration.ofSeconds(3)).enter()) {
            assertThatThrownBy(() -> store.get("mesh/k"))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("would outlast the caller's deadline")
                    .hasMessageContaining("1,200 requests per 5 minutes");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        assertThat(sleeps).isEmpty();
        assertThat(server.totalRequests()).isEqualTo(1);
    }

    @Test
    void theAccountRateLimitIsWaitedOutOnceForAllThreadsOfTheStore() throws Exception {
        start(LocalKvServer.builder());
        server.rateLimitNext(1, 4);
        assertThat(store.get("mesh/a")).isEmpty();
        assertThat(sleeps).singleElement().satisfies(d -> assertThat(d.toMillis()).isBetween(3_500L, 4_000L));
    }

    @Test
    void binaryValuesAreStoredByteExact() {
        start(LocalKvServer.builder());
        byte[] sealed = new byte[4096];
        new Random(7).nextBytes(sealed);
        sealed[0] = (byte) 0xC3; // an invalid UTF-8 start, as sealed keys have
        sealed[1] = (byte) 0x28;
        store.putIfAbsent("mesh/n/ca/f/key", sealed);
        assertThat(server.latestValue(server.namespaceId(), "mesh/n/ca/f/key")).isEqualTo(sealed);
        assertThat(store.get("mesh/n/ca/f/key").orElseThrow().value()).isEqualTo(sealed);
    }

    @Test
    void a404WithoutAKvEnvelopeIsAnErrorNeverAnAbsentKey() throws Exception {
        HttpServer other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        other.createContext("/", ex -> {
            byte[] page = "<html>Not Found</html>".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/html");
            ex.sendResponseHeaders(404, page.length);
            ex.getResponseBody().write(page);
            ex.close();
        });
        other.start();
        try (CloudflareKvStore s = CloudflareKvStore.builder()
                .baseUrl(URI.create("http://127.0.0.1:" + other.getAddress().getPort() + "/client/v4"))
                .accountId("acc").namespaceId("ns").apiToken(TOKEN).build()) {
            assertThatThrownBy(() -> s.get("mesh/k"))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("is not a Workers KV API")
                    .hasMessageNotContaining(TOKEN);
            assertThatThrownBy(() -> s.putIfAbsent("mesh/k", bytes("v"))).hasMessageContaining("not a Workers KV API");
        } finally {
            other.stop(0);
        }
    }
}
