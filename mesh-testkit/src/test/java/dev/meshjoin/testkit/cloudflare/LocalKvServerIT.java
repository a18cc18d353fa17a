package dev.meshjoin.testkit.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshjoin.testkit.cloudflare.LocalKvServer.RequestKind;
import dev.meshjoin.testkit.time.MutableClock;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The local KV server answers raw HTTP the way the Workers KV REST API documents. */
class LocalKvServerIT {
    private static final String TOKEN = "tkn";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MutableClock clock = MutableClock.startingNow();
    private final HttpClient http = HttpClient.newHttpClient();
    private LocalKvServer server;

    @BeforeEach
    void start() {
        server = LocalKvServer.builder().clock(clock).token(TOKEN).build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String ns() {
        return server.baseUrl() + "/accounts/" + server.accountId() + "/storage/kv/namespaces/" + server.namespaceId();
    }

    private static String enc(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> put(String key, String value, String query) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(ns() + "/values/" + enc(key) + query))
                .PUT(HttpRequest.BodyPublishers.ofString(value)));
    }

    private HttpResponse<String> get(String key) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(ns() + "/values/" + enc(key))).GET());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static int errorCode(HttpResponse<String> r) throws Exception {
        JsonNode body = json(r);
        assertThat(body.path("success").asBoolean(true)).isFalse();
        assertThat(body.path("messages").isArray()).isTrue();
        return body.path("errors").get(0).path("code").asInt();
    }

    @Test
    void rawPutThenGetReturnsTheBytesAndAbsentKeysAre404With10009() throws Exception {
        HttpResponse<String> w = put("a/b", "hello", "");
        assertThat(w.statusCode()).isEqualTo(200);
        assertThat(json(w).path("success").asBoolean()).isTrue();
        assertThat(get("a/b").body()).isEqualTo("hello");

        HttpResponse<String> missing = get("nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(errorCode(missing)).isEqualTo(10009);
        HttpResponse<String> meta = send(HttpRequest.newBuilder(URI.create(ns() + "/metadata/nope")).GET());
        assertThat(meta.statusCode()).isEqualTo(404);
        assertThat(errorCode(meta)).isEqualTo(10009);
    }

    @Test
    void tokenAccountAndNamespaceAreChecked() throws Exception {
        HttpResponse<String> noAuth = http.send(HttpRequest.newBuilder(URI.create(ns() + "/values/k")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noAuth.statusCode()).isEqualTo(403);
        assertThat(errorCode(noAuth)).isEqualTo(10000);
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(ns() + "/values/k"))
                .header("Authorization", "Bearer tkn2").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(403);
        HttpResponse<String> otherNs = send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/accounts/"
                + server.accountId() + "/storage/kv/namespaces/unknown/values/k")).GET());
        assertThat(otherNs.statusCode()).isEqualTo(404);
        assertThat(errorCode(otherNs)).isEqualTo(10013);
        assertThat(server.requests(RequestKind.REFUSED)).isEqualTo(3);
        assertThat(server.requests(RequestKind.GET_VALUE)).isZero();
    }

    @Test
    void limitsAreEnforced() throws Exception {
        HttpResponse<String> longKey = put("k".repeat(513), "v", "");
        assertThat(longKey.statusCode()).isEqualTo(414);
        assertThat(errorCode(longKey)).isEqualTo(10030);
        assertThat(put("k".repeat(512), "v", "").statusCode()).isEqualTo(200);

        HttpResponse<String> shortTtl = put("ttl", "v", "?expiration_ttl=59");
        assertThat(shortTtl.statusCode()).isEqualTo(400);
        assertThat(json(shortTtl).path("errors").get(0).path("message").asText()).contains("at least 60");
        assertThat(errorCode(shortTtl)).as("a bad expiration_ttl is error 10034").isEqualTo(10034);
        assertThat(errorCode(put("ttl", "v", "?expiration_ttl=soon"))).isEqualTo(10034);
        HttpResponse<String> pastExpiry = put("ttl", "v", "?expiration=" + (clock.instant().getEpochSecond() + 10));
        assertThat(pastExpiry.statusCode()).isEqualTo(400);
        assertThat(errorCode(pastExpiry)).as("a bad expiration is error 10033").isEqualTo(10033);
        assertThat(put("ttl", "v", "?expiration_ttl=60").statusCode()).isEqualTo(200);

        MultipartFormDataBody big = new MultipartFormDataBody("v", "{\"m\":\"" + "x".repeat(1020) + "\"}");
        HttpResponse<String> bigMeta = send(HttpRequest.newBuilder(URI.create(ns() + "/values/meta"))
                .header("Content-Type", big.contentType()).PUT(HttpRequest.BodyPublishers.ofByteArray(big.body())));
        assertThat(bigMeta.statusCode()).isEqualTo(413);
        assertThat(errorCode(bigMeta)).isEqualTo(10024);

        HttpResponse<String> tooBig = send(HttpRequest.newBuilder(URI.create(ns() + "/values/huge"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[25 * 1024 * 1024 + 1])));
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(get("huge").statusCode()).isEqualTo(404);

        HttpResponse<String> badLimit = send(HttpRequest.newBuilder(URI.create(ns() + "/keys?limit=5")).GET());
        assertThat(badLimit.statusCode()).isEqualTo(400);
    }

    @Test
    void metadataTravelsInMultipartAndComesBackFromTheMetadataEndpointAndListings() throws Exception {
        MultipartFormDataBody form = new MultipartFormDataBody("the value", "{\"v\":7}");
        HttpResponse<String> w = send(HttpRequest.newBuilder(URI.create(ns() + "/values/m?expiration_ttl=120"))
                .header("Content-Type", form.contentType()).PUT(HttpRequest.BodyPublishers.ofByteArray(form.body())));
        assertThat(w.statusCode()).isEqualTo(200);
        assertThat(get("m").body()).isEqualTo("the value");
        HttpResponse<String> meta = send(HttpRequest.newBuilder(URI.create(ns() + "/metadata/m")).GET());
        assertThat(json(meta).path("result").path("v").asInt()).isEqualTo(7);
        JsonNode listed = json(send(HttpRequest.newBuilder(URI.create(ns() + "/keys")).GET())).path("result").get(0);
        assertThat(listed.path("name").asText()).isEqualTo("m");
        assertThat(listed.path("metadata").path("v").asInt()).isEqualTo(7);
        assertThat(listed.path("expiration").asLong()).isEqualTo(clock.instant().getEpochSecond() + 120);
    }

    @Test
    void oneWritePerSecondPerKeyIsAnswered429WithRetryAfter() throws Exception {
        assertThat(put("hot", "1", "").statusCode()).isEqualTo(200);
        HttpResponse<String> again = put("hot", "2", "");
        assertThat(again.statusCode()).isEqualTo(429);
        assertThat(again.headers().firstValue("Retry-After")).contains("1");
        assertThat(put("other", "x", "").statusCode()).as("other keys are not limited").isEqualTo(200);
        HttpResponse<String> del = send(HttpRequest.newBuilder(URI.create(ns() + "/values/hot")).DELETE());
        assertThat(del.statusCode()).as("a delete is a write too").isEqualTo(429);

        clock.advance(Duration.ofSeconds(1));
        assertThat(put("hot", "2", "").statusCode()).isEqualTo(200);
        assertThat(get("hot").body()).isEqualTo("2");
    }

    @Test
    void writesAndDeletesBecomeVisibleOnlyAfterThePropagationDelay() throws Exception {
        server.close();
        server = LocalKvServer.builder().clock(clock).token(TOKEN).propagationDelay(Duration.ofSeconds(5)).build();
        put("k", "one", "");
        assertThat(get("k").statusCode()).isEqualTo(404);
        assertThat(server.latestValue(server.namespaceId(), "k")).isEqualTo("one".getBytes(StandardCharsets.UTF_8));
        clock.advance(Duration.ofSeconds(5));
        assertThat(get("k").body()).isEqualTo("one");

        put("k", "two", "");
        clock.advance(Duration.ofSeconds(3));
        assertThat(get("k").body()).as("the old value until the new one propagates").isEqualTo("one");
        send(HttpRequest.newBuilder(URI.create(ns() + "/values/k")).DELETE());
        clock.advance(Duration.ofSeconds(2));
        assertThat(get("k").body()).isEqualTo("two");
        clock.advance(Duration.ofSeconds(3));
        assertThat(get("k").statusCode()).isEqualTo(404);
    }

    @Test
    void listingPagesWithACursorInKeyOrder() throws Exception {
        server.close();
        server = LocalKvServer.builder().clock(clock).token(TOKEN).writeRateLimit(false).build();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            expected.add(String.format("p/%02d", i));
            put(String.format("p/%02d", i), "v", "");
        }
        put("q", "v", "");
        List<String> seen = new ArrayList<>();
        String cursor = "";
        int pages = 0;
        do {
            JsonNode body = json(send(HttpRequest.newBuilder(URI.create(ns() + "/keys?prefix=p%2F&limit=10"
                    + (cursor.isEmpty() ? "" : "&cursor=" + cursor))).GET()));
            body.path("result").forEach(k -> seen.add(k.path("name").asText()));
            assertThat(body.path("result_info").path("count").asInt()).isEqualTo(body.path("result").size());
            cursor = body.path("result_info").path("cursor").asText();
            pages++;
        } while (!cursor.isEmpty());
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void injectedFaultsAnswerThenClear() throws Exception {
        server.failNext(2);
        assertThat(get("k").statusCode()).isEqualTo(503);
        assertThat(get("k").statusCode()).isEqualTo(503);
        assertThat(get("k").statusCode()).isEqualTo(404);
        server.rateLimitNext(1, 7);
        HttpResponse<String> limited = get("k");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).contains("7");
        assertThat(server.requestLog()).hasSize(4);
    }

    @Test
    void expiredKeysVanish() throws Exception {
        put("e", "v", "?expiration_ttl=60");
        clock.advance(Duration.ofSeconds(59));
        assertThat(get("e").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(1));
        assertThat(get("e").statusCode()).isEqualTo(404);
        assertThat(json(send(HttpRequest.newBuilder(URI.create(ns() + "/keys")).GET())).path("result")).isEmpty();
    }

    /** A minimal multipart body for these raw tests. */
    private record MultipartFormDataBody(String value, String metadata) {
        String contentType() {
            return "multipart/form-data; boundary=XyZ";
        }

        byte[] body() {
            return ("--XyZ\r\nContent-Disposition: form-data; name=\"value\"\r\n\r\n" + value
                    + "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n" + metadata
                    + "\r\n--XyZ--\r\n").getBytes(StandardCharsets.UTF_8);
        }
    }
}
