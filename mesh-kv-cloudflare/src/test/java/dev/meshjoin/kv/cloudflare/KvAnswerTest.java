package dev.meshjoin.kv.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.api.store.StoreLimitException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How answers of the KV API are sorted, and what the store tells the user for each error code. */
class KvAnswerTest {
    private static final String TOKEN = "tok-en-secret";
    private final KvTransport transport = new KvTransport("cloudflare-kv:acc/ns", URI.create("https://api.cloudflare.com/client/v4"),
            "acc", "ns", TOKEN, "the environment variable CLOUDFLARE_API_TOKEN", null, Duration.ofSeconds(1),
            Duration.ofMinutes(5), d -> { }, Clock.systemUTC());

    private static KvAnswer answer(int status, int code, String message) {
        String body = "{\"success\":false,\"errors\":[{\"code\":" + code + ",\"message\":\"" + message
                + "\"}],\"messages\":[],\"result\":null}";
        return new KvAnswer(status, body.getBytes(StandardCharsets.UTF_8), Optional.of("30"));
    }

    private StoreException failure(int status, int code) {
        return transport.failure("op mesh/k", answer(status, code, "cloudflare says " + TOKEN));
    }

    @Test
    void sortsAnswers() {
        assertThat(answer(404, 10009, "key not found").kind(false)).isEqualTo(KvAnswer.Kind.KEY_NOT_FOUND);
        assertThat(new KvAnswer(404, "<html/>".getBytes(StandardCharsets.UTF_8), Optional.empty()).kind(false))
                .as("a 404 without an envelope is not 'absent'").isEqualTo(KvAnswer.Kind.FATAL);
        assertThat(answer(404, 10013, "namespace not found").kind(false)).isEqualTo(KvAnswer.Kind.FATAL);
        assertThat(answer(429, 10048, "free usage limit").kind(true)).isEqualTo(KvAnswer.Kind.FREE_TIER);
        assertThat(answer(429, 10048, "free usage limit").kind(false)).isEqualTo(KvAnswer.Kind.FREE_TIER);
        assertThat(answer(429, 971, "throttle").kind(true)).isEqualTo(KvAnswer.Kind.ACCOUNT_RATE_LIMIT);
        assertThat(answer(429, 10022, "too many").kind(true)).isEqualTo(KvAnswer.Kind.KEY_WRITE_LIMIT);
        assertThat(answer(429, 10022, "too many").kind(false)).isEqualTo(KvAnswer.Kind.ACCOUNT_RATE_LIMIT);
        assertThat(answer(502, 10001, "unavailable").kind(true)).isEqualTo(KvAnswer.Kind.TRANSIENT);
        assertThat(answer(429, 971, "x").retryAfter).contains(Duration.ofSeconds(30));
        assertThat(new KvAnswer(200, "{\"success\":false,\"errors\":[],\"messages\":[]}".getBytes(StandardCharsets.UTF_8),
                Optional.empty()).kind(true)).as("200 with success=false").isEqualTo(KvAnswer.Kind.FATAL);
    }

    @Test
    void eachErrorCodeGetsAMessageThatSaysWhatToDo() {
        assertThat(failure(404, 10013)).hasMessageContaining("no Workers KV namespace with id ns")
                .hasMessageContaining("CLOUDFLARE_KV_NAMESPACE_ID");
        assertThat(failure(400, 10033)).isInstanceOf(StoreLimitException.class).hasMessageContaining("at least 60 seconds")
                .hasMessageContaining("clock");
        assertThat(failure(400, 10034)).isInstanceOf(StoreLimitException.class).hasMessageContaining("error 10034");
        assertThat(failure(403, 10037)).hasMessageContaining("\"Workers KV Storage: Edit\" permission for account acc")
                .hasMessageContaining("CLOUDFLARE_API_TOKEN");
        assertThat(failure(400, 10041)).hasMessageContaining("listing cursor").hasMessageContaining("from the start");
        assertThat(failure(400, 10047)).hasMessageContaining("refused the metadata").hasMessageContaining("report it");
        assertThat(failure(403, 10000)).hasMessageContaining("refused the API token");
        assertThat(failure(400, 10047).retryable()).isFalse();
        for (int code : new int[] {10009, 10013, 10033, 10034, 10037, 10041, 10047, 10048}) {
            assertThat(failure(400, code)).hasMessageNotContaining(TOKEN).hasMessageContaining("[redacted]");
        }
    }
}
