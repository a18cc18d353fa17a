package dev.meshjoin.store.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Worker's HTTP API spoken raw, as a hostile or broken client would: every refusal is a JSON
 * error with a status that says whose fault it is, and a refused request changes nothing.
 */
class StoreWorkerHttpIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private String object;

    @BeforeEach
    void object() {
        object = StoreWorker.freshPrefix() + "raw";
    }

    private HttpResponse<String> post(String op, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(StoreWorker.dev().url() + "/v1/" + object + "/" + op))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String op, String body) throws Exception {
        return post(op, body, StoreWorker.token());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private void assertError(HttpResponse<String> r, int status, String code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(json(r).path("error").path("code").asText()).isEqualTo(code);
        assertThat(json(r).path("error").path("message").asText()).isNotBlank();
    }

    @Test
    void aReSentWriteWithTheSameWriteIdGetsItsFirstOutcomeAndIsNotAppliedTwice() throws Exception {
        String put = "{\"key\":\"k\",\"value\":\"MA==\",\"writeId\":\"first-write-0000001\"}";
        JsonNode first = json(post("put-if-absent", put));
        JsonNode again = json(post("put-if-absent", put));
        assertThat(again.path("entry").path("version").asLong()).isEqualTo(first.path("entry").path("version").asLong());

        long v = first.path("entry").path("version").asLong();
        String cas = "{\"key\":\"k\",\"expectedVersion\":" + v + ",\"value\":\"MQ==\",\"writeId\":\"cas-write-00000001\"}";
        JsonNode c1 = json(post("compare-and-set", cas));
        JsonNode c2 = json(post("compare-and-set", cas));
        assertThat(c1.path("entry").path("version").asLong()).isGreaterThan(v);
        assertThat(c2.path("entry").path("version").asLong()).isEqualTo(c1.path("entry").path("version").asLong());
        // A different write with the same stale expectation loses: only one compare-and-set happened.
        String other = cas.replace("cas-write-00000001", "cas-write-00000002");
        assertThat(json(post("compare-and-set", other)).path("conflict").asBoolean()).isTrue();
        JsonNode read = json(post("get", "{\"key\":\"k\"}"));
        assertThat(read.path("entry").path("value").asText()).isEqualTo("MQ==");
        assertThat(read.path("entry").path("version").asLong()).isEqualTo(c1.path("entry").path("version").asLong());
    }

    @Test
    void noTokenOrAWrongOneIsRefusedWith401AndWritesNothing() throws Exception {
        String put = "{\"key\":\"k\",\"value\":\"MA==\",\"writeId\":\"unauthorised-00001\"}";
        assertError(post("put-if-absent", put, null), 401, "unauthorized");
        assertError(post("put-if-absent", put, "x" + StoreWorker.token()), 401, "unauthorized");
        assertError(post("put-if-absent", put, StoreWorker.token().substring(1)), 401, "unauthorized");
        assertError(post("put-if-absent", put, ""), 401, "unauthorized");
        assertThat(json(post("get", "{\"key\":\"k\"}")).path("entry").isNull()).isTrue();
    }

    @Test
    void theReadTokenReadsAndListsButEveryWriteIsRefusedWith403AndChangesNothing() throws Exception {
        String put = "{\"key\":\"mesh/p/network\",\"value\":\"e30=\",\"writeId\":\"w-0123456789abcdef\"}";
        HttpResponse<String> written = post("put-if-absent", put);
        assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
        String read = StoreWorker.readToken();
        HttpResponse<String> got = post("get", "{\"key\":\"mesh/p/network\"}", read);
        assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
        assertThat(json(got).toString()).contains("e30=");
        assertThat(post("list", "{\"prefix\":\"mesh/p/\"}", read).statusCode()).isEqualTo(200);
        long version = json(got).path("entry").path("version").asLong();
        assertThat(version).isPositive();
        assertError(post("put-if-absent", put.replace("network", "other"), read), 403, "read_only");
        assertError(post("compare-and-set", "{\"key\":\"mesh/p/network\",\"expectedVersion\":" + version
                + ",\"value\":\"e30K\",\"writeId\":\"w-1123456789abcdef\"}", read), 403, "read_only");
        assertError(post("delete", "{\"key\":\"mesh/p/network\",\"expectedVersion\":" + version
                + ",\"writeId\":\"w-2123456789abcdef\"}", read), 403, "read_only");
        HttpResponse<String> after = post("get", "{\"key\":\"mesh/p/network\"}");
        assertThat(json(after).path("entry").path("version").asLong()).isEqualTo(version);
        assertThat(json(after).path("entry").path("value").asText()).isEqualTo("e30=");
        assertThat(json(post("get", "{\"key\":\"mesh/p/other\"}")).path("entry").isNull()).isTrue();
    }

    @Test
    void malformedRequestsAreRefusedWithJsonErrors() throws Exception {
        assertError(post("get", "not json"), 400, "bad_json");
        assertError(post("get", "[1,2]"), 400, "bad_json");
        assertError(post("get", "{}"), 400, "bad_key");
        assertError(post("get", "{\"key\":\"\"}"), 400, "bad_key");
        assertError(post("get", "{\"key\":\"a\\u0000b\"}"), 400, "bad_key");
        assertError(post("get", "{\"key\":\"a\\ud800b\"}"), 400, "bad_key");
        assertError(post("get", "{\"key\":\"" + "k".repeat(513) + "\"}"), 400, "key_too_long");
        String base = "{\"key\":\"k\",\"writeId\":\"malformed-000001\"";
        assertError(post("put-if-absent", base + ",\"value\":\"not base64!\"}"), 400, "bad_value");
        assertError(post("put-if-absent", base + ",\"value\":\"MA==\",\"ttlMs\":999}"), 400, "bad_ttl");
        assertError(post("put-if-absent", base + ",\"value\":\"MA==\",\"ttlMs\":1.5}"), 400, "bad_ttl");
        assertError(post("put-if-absent", base + ",\"value\":\"MA==\",\"ttlMs\":1e15}"), 400, "bad_ttl");
        assertError(post("put-if-absent", "{\"key\":\"k\",\"value\":\"MA==\",\"writeId\":\"short\"}"), 400, "bad_write_id");
        assertError(post("compare-and-set", base + ",\"value\":\"MA==\",\"expectedVersion\":0}"), 400, "bad_version");
        assertError(post("delete", base + ",\"expectedVersion\":\"1\"}"), 400, "bad_version");
        assertError(post("list", "{\"prefix\":\"\",\"limit\":5000}"), 400, "bad_limit");
        String big = "A".repeat(1024 * 1024 / 3 * 4 + 8);
        assertError(post("put-if-absent", base + ",\"value\":\"" + big + "\"}"), 413, "value_too_large");
        assertError(post("frobnicate", "{}"), 404, "not_found");
        // Nothing of the above was written.
        assertThat(json(post("list", "{\"prefix\":\"\"}")).path("keys")).isEmpty();
    }

    @Test
    void theHealthCheckNeedsNoTokenAndSaysNothingElse() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(StoreWorker.dev().url() + "/v1/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).path("service").asText()).isEqualTo("meshjoin-store");
        assertThat(r.body()).doesNotContain(StoreWorker.token());
    }
}
