package dev.meshjoin.testkit.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshjoin.testkit.cloudflare.LocalKvServer.RequestKind;
import dev.meshjoin.testkit.time.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The account-wide limits and the per-location visibility of the local KV server, on raw HTTP:
 * the API rate limit (1,200 requests per 5 minutes, then 5 minutes blocked; scaled down here), the
 * free tier's daily counters (error 10048, reset at 00:00 UTC), writes seen per location after the
 * delay plus jitter, and cached "not found" answers.
 */
class LocalKvServerLimitsIT {
    private static final String TOKEN = "tkn";
    private static final ObjectMapper JSON = new ObjectMapper();

    // Noon UTC, so that a day's counters do not roll over by accident.
    private final MutableClock clock = new MutableClock(LocalDate.of(2026, 12, 1).atTime(12, 0).toInstant(ZoneOffset.UTC));
    private final HttpClient http = HttpClient.newHttpClient();
    private LocalKvServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String ns(URI base) {
        return base + "/accounts/" + server.accountId() + "/storage/kv/namespaces/" + server.namespaceId();
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> put(URI base, String key, String value) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(ns(base) + "/values/" + key)).PUT(HttpRequest.BodyPublishers.ofString(value)));
    }

    private HttpResponse<String> get(URI base, String key) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(ns(base) + "/values/" + key)).GET());
    }

    private static int code(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("errors").get(0).path("code").asInt();
    }

    @Test
    void theAccountRateLimitBlocksEveryCallForTheBlockTimeThenLetsThemThrough() throws Exception {
        server = LocalKvServer.builder().clock(clock).token(TOKEN)
                .accountRateLimit(5, Duration.ofSeconds(10), Duration.ofSeconds(30)).build();
        URI base = server.baseUrl();
        for (int i = 0; i < 5; i++) {
            assertThat(get(base, "k").statusCode()).isEqualTo(404);
        }
        HttpResponse<String> sixth = get(base, "k");
        assertThat(sixth.statusCode()).isEqualTo(429);
        assertThat(code(sixth)).isEqualTo(971);
        assertThat(sixth.headers().firstValue("Retry-After")).contains("30");
        assertThat(server.rateLimitBlocks()).isEqualTo(1);

        // Blocked: every call, writes included, for the whole block, whatever the window says.
        clock.advance(Duration.ofSeconds(20));
        HttpResponse<String> during = put(base, "k", "v");
        assertThat(during.statusCode()).isEqualTo(429);
        assertThat(during.headers().firstValue("Retry-After")).contains("10");
        assertThat(server.latestValue(server.namespaceId(), "k")).isNull();

        clock.advance(Duration.ofSeconds(10));
        assertThat(put(base, "k", "v").statusCode()).isEqualTo(200);
        // A sliding window: four more fit now, the fifth of this window is refused again.
        for (int i = 0; i < 4; i++) {
            assertThat(get(base, "k").statusCode()).isEqualTo(200);
        }
        assertThat(get(base, "k").statusCode()).isEqualTo(429);
        assertThat(server.rateLimitBlocks()).isEqualTo(2);
        assertThat(server.peakRequests(Duration.ofSeconds(10))).isGreaterThanOrEqualTo(6);
    }

    @Test
    void aRequestWithABadTokenIsRefusedBeforeItCountsAgainstTheLimit() throws Exception {
        server = LocalKvServer.builder().clock(clock).token(TOKEN)
                .accountRateLimit(2, Duration.ofSeconds(10), Duration.ofSeconds(30)).build();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(ns(server.baseUrl()) + "/values/k"))
                    .header("Authorization", "Bearer wrong").GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(403);
        }
        assertThat(get(server.baseUrl(), "k").statusCode()).isEqualTo(404);
        assertThat(server.rateLimitBlocks()).isZero();
    }

    @Test
    void theFreeTiersDailyCountersRefuseWith10048UntilMidnightUtc() throws Exception {
        server = LocalKvServer.builder().clock(clock).token(TOKEN).writeRateLimit(false)
                .freeTier(3, 2, 1, 1).build();
        URI base = server.baseUrl();
        assertThat(put(base, "a", "1").statusCode()).isEqualTo(200);
        assertThat(put(base, "b", "2").statusCode()).isEqualTo(200);
        HttpResponse<String> third = put(base, "c", "3");
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(code(third)).isEqualTo(10048);
        assertThat(JSON.readTree(third.body()).path("errors").get(0).path("message").asText())
                .contains("free usage limit for this operation for today");
        assertThat(server.latestValue(server.namespaceId(), "c")).as("a refused write is not applied").isNull();

        // Reads count separately (misses too); deletes and lists have their own counters.
        assertThat(get(base, "a").statusCode()).isEqualTo(200);
        assertThat(get(base, "zz").statusCode()).isEqualTo(404);
        assertThat(get(base, "b").statusCode()).isEqualTo(200);
        assertThat(code(get(base, "a"))).isEqualTo(10048);
        HttpResponse<String> list = send(HttpRequest.newBuilder(URI.create(ns(base) + "/keys")).GET());
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(code(send(HttpRequest.newBuilder(URI.create(ns(base) + "/keys")).GET()))).isEqualTo(10048);
        assertThat(send(HttpRequest.newBuilder(URI.create(ns(base) + "/values/a")).DELETE()).statusCode()).isEqualTo(200);
        assertThat(code(send(HttpRequest.newBuilder(URI.create(ns(base) + "/values/b")).DELETE()))).isEqualTo(10048);

        // 00:00 UTC resets every counter.
        clock.set(LocalDate.of(2026, 12, 2).atStartOfDay().toInstant(ZoneOffset.UTC));
        assertThat(put(base, "c", "3").statusCode()).isEqualTo(200);
        assertThat(get(base, "c").statusCode()).isEqualTo(200);
    }

    @Test
    void eachLocationSeesAWriteAfterTheDelayAndTheWriterAtOnce() throws Exception {
        server = LocalKvServer.builder().clock(clock).token(TOKEN).propagationDelay(Duration.ofSeconds(5))
                .writerSeesOwnWrites(true).build();
        URI a = server.baseUrl("a");
        URI b = server.baseUrl("b");
        assertThat(a).isNotEqualTo(b);
        assertThat(put(a, "k", "v").statusCode()).isEqualTo(200);
        assertThat(get(a, "k").body()).isEqualTo("v");
        assertThat(get(b, "k").statusCode()).isEqualTo(404);
        clock.advance(Duration.ofSeconds(5));
        assertThat(get(b, "k").body()).isEqualTo("v");
    }

    @Test
    void jitterSpreadsVisibilityBeyondTheNominalDelay() throws Exception {
        server = LocalKvServer.builder().clock(clock).token(TOKEN).propagationDelay(Duration.ofSeconds(2))
                .jitter(Duration.ofSeconds(4)).build();
        URI writer = server.baseUrl("w");
        URI reader = server.baseUrl("r");
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            keys.add("k" + i);
            put(writer, "k" + i, "v");
        }
        // Listings skip the negative cache, so they show the visibility itself.
        clock.advance(Duration.ofSeconds(2));
        int atBound = listed(reader);
        clock.advance(Duration.ofSeconds(2));
        int later = listed(reader);
        clock.advance(Duration.ofSeconds(2));
        int atEnd = listed(reader);
        assertThat(atBound).as("some writes take longer than the nominal bound").isLessThan(40);
        assertThat(later).isGreaterThan(atBound).isLessThanOrEqualTo(40);
        assertThat(atEnd).as("all visible after bound + jitter").isEqualTo(40);
    }

    private int listed(URI base) throws Exception {
        return JSON.readTree(send(HttpRequest.newBuilder(URI.create(ns(base) + "/keys")).GET()).body()).path("result").size();
    }

    @Test
    void aLocationKeepsAnsweringNotFoundForTheNegativeCacheTime() throws Exception {
        server = LocalKvServer.builder().clock(clock).token(TOKEN).negativeCacheTtl(Duration.ofSeconds(10)).build();
        URI a = server.baseUrl("a");
        URI b = server.baseUrl("b");
        assertThat(get(b, "k").statusCode()).isEqualTo(404);
        clock.advance(Duration.ofSeconds(1));
        put(a, "k", "v");
        assertThat(get(a, "k").statusCode()).as("a location that never asked sees it").isEqualTo(200);
        clock.advance(Duration.ofSeconds(8));
        assertThat(get(b, "k").statusCode()).as("b's cached miss").isEqualTo(404);
        clock.advance(Duration.ofSeconds(1));
        assertThat(get(b, "k").body()).isEqualTo("v");
    }

    @Test
    void faultsForOneKindOfRequestLeaveTheOthersAlone() throws Exception {
        server = LocalKvServer.builder().clock(clock).token(TOKEN).build();
        URI base = server.baseUrl();
        server.loseAnswerOfNext(RequestKind.PUT, 1);
        assertThat(get(base, "k").statusCode()).isEqualTo(404);
        assertThat(put(base, "k", "v").statusCode()).isEqualTo(502);
        assertThat(server.latestValue(server.namespaceId(), "k")).as("carried out, answer lost").isNotNull();
        server.keyWriteLimitNext(1);
        clock.advance(Duration.ofSeconds(2));
        HttpResponse<String> limited = put(base, "k", "w");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(code(limited)).isEqualTo(10022);
        assertThat(new String(server.latestValue(server.namespaceId(), "k"))).isEqualTo("v");
        server.failNextOf(RequestKind.DELETE, 1, 503);
        assertThat(send(HttpRequest.newBuilder(URI.create(ns(base) + "/values/k")).DELETE()).statusCode()).isEqualTo(503);
        assertThat(server.latestValue(server.namespaceId(), "k")).isNotNull();
        assertThat(Instant.now()).isNotNull();
    }
}
