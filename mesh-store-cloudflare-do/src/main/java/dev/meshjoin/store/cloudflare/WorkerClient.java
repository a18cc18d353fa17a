package dev.meshjoin.store.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshjoin.api.retry.Deadline;
import dev.meshjoin.api.retry.RetryPolicy;
import dev.meshjoin.api.store.StoreException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speaks the store Worker's JSON API: one POST per operation, answers mapped to results or to
 * {@link StoreException}s that say what to do. Retries what may pass (outages, 5xx, 429 with
 * {@code Retry-After}, lost connections) under a {@link RetryPolicy} and never past the caller's
 * {@link Deadline}. Re-sending a conditional write is safe because it carries the same
 * {@code writeId}: the Durable Object answers a write it already applied with its first outcome.
 */
final class WorkerClient {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerClient.class);
    static final ObjectMapper JSON = new ObjectMapper();
    /** The Worker remembers a write's outcome for 10 minutes; never re-send one later than this. */
    private static final Duration RESEND_WINDOW = Duration.ofMinutes(5);
    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(1);

    private final String storeName;
    private final URI base;
    private final char[] token;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final RetryPolicy retry;

    WorkerClient(String storeName, URI base, char[] token, Duration connectTimeout, Duration requestTimeout, RetryPolicy retry) {
        this.storeName = storeName;
        this.base = base;
        this.token = token.clone();
        this.requestTimeout = requestTimeout;
        this.retry = retry;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Posts {@code body} to {@code /v1/<object>/<op>} and returns the answer's JSON, retrying what may pass. */
    JsonNode call(String operation, String object, String op, ObjectNode body) {
        byte[] payload = body.toString().getBytes(StandardCharsets.UTF_8);
        URI uri = URI.create(base + "/v1/" + URLEncoder.encode(object, StandardCharsets.UTF_8) + "/" + op);
        long firstSent = System.nanoTime();
        return retry.call(() -> {
            if (System.nanoTime() - firstSent > RESEND_WINDOW.toNanos()) {
                throw new StoreException(storeName, operation, "no answer for " + RESEND_WINDOW.toMinutes()
                        + " minutes; the write may or may not have happened: read the key again", false);
            }
            return once(operation, uri, payload);
        }, e -> e instanceof StoreException se && se.retryable(),
                (attempt, e, delay) -> LOG.debug("{}; retry {} in {} ms", e.getMessage(), attempt, delay.toMillis()));
    }

    private JsonNode once(String operation, URI uri, byte[] payload) {
        Deadline deadline = Deadline.current();
        if (deadline.expired()) {
            throw new StoreException(storeName, operation, "the caller's deadline has passed", true);
        }
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(deadline.cap(requestTimeout).plusMillis(1))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + new String(token))
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new StoreException(storeName, operation, "no answer from " + base + " within "
                    + requestTimeout.toSeconds() + " s", true, e);
        } catch (IOException e) {
            throw new StoreException(storeName, operation, "cannot reach the store Worker at " + base + " (" + e
                    + "); check the URI, and that the Worker is deployed (npx wrangler deploy) or wrangler dev runs",
                    true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(storeName, operation, "interrupted", false, e);
        }
        return answer(operation, response);
    }

    private JsonNode answer(String operation, HttpResponse<byte[]> r) {
        int status = r.statusCode();
        JsonNode body = parse(r.body());
        JsonNode error = body == null ? null : body.get("error");
        if (status == 200 && body != null && error == null) {
            return body;
        }
        String code = error == null ? "" : error.path("code").asText("");
        String message = error == null ? "" : error.path("message").asText("");
        if (status == 401) {
            throw new StoreException(storeName, operation, "the store Worker refused the token (HTTP 401): set "
                    + CloudflareDoStore.ENV_TOKEN + " (or " + CloudflareDoStore.ENV_TOKEN_FILE + ") to the value given to "
                    + "'wrangler secret put " + CloudflareDoStore.ENV_TOKEN + "'", false);
        }
        if (error == null) {
            String text = new String(r.body(), StandardCharsets.UTF_8);
            if (status == 429 && text.contains("1027")) {
                throw new StoreException(storeName, operation, "the Cloudflare Workers free plan's 100,000 requests a day "
                        + "are used up; they reset at 00:00 UTC (or move the Worker to the paid plan)", false);
            }
            if (status == 429 || status >= 500) {
                throw retryLater(operation, r, "HTTP " + status + " without the store's JSON");
            }
            throw new StoreException(storeName, operation, base + " answered HTTP " + status + " without the store's "
                    + "JSON: it is not the meshjoin store Worker. Check the URI (cloudflare-do:https://HOST[/PATH], where "
                    + "the Worker serves /v1/)", false);
        }
        if (status == 503 && code.equals("not_configured")) {
            throw new StoreException(storeName, operation, message, false);
        }
        if (status == 429 || status >= 500) {
            throw retryLater(operation, r, message + " (HTTP " + status + ", " + code + ")");
        }
        throw new StoreException(storeName, operation, "the store Worker refused the request (HTTP " + status + ", "
                + code + "): " + message, false);
    }

    /** A retryable failure, after waiting out {@code Retry-After} when the deadline allows it. */
    private StoreException retryLater(String operation, HttpResponse<byte[]> r, String why) {
        Optional<Duration> after = r.headers().firstValue("Retry-After").flatMap(WorkerClient::seconds);
        if (after.isPresent()) {
            Duration wait = after.get().compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : after.get();
            try {
                if (!Deadline.current().sleep(wait)) {
                    return new StoreException(storeName, operation, why + "; Retry-After " + wait.toSeconds()
                            + " s is past the caller's deadline", false);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new StoreException(storeName, operation, "interrupted", false, e);
            }
        }
        return new StoreException(storeName, operation, why, true);
    }

    private static Optional<Duration> seconds(String value) {
        try {
            long s = Long.parseLong(value.trim());
            return s >= 0 ? Optional.of(Duration.ofSeconds(s)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    void close() {
        // Java 17's HttpClient has no close(); its idle connections end with the client.
        java.util.Arrays.fill(token, '\0');
    }
}
