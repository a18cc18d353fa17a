package dev.meshjoin.kv.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One answer of the Workers KV REST API, parsed once: the status, the raw body, and — when the body
 * is Cloudflare's JSON envelope ({@code success}, {@code errors}, {@code messages}, {@code result})
 * — its error codes. {@link #kind(boolean)} sorts it into what the store does next.
 */
final class KvAnswer {
    // Error codes of the Workers KV v4 API and of the Cloudflare API gateway.
    static final int CODE_AUTHENTICATION = 10000;
    static final int CODE_SERVICE_UNAVAILABLE = 10001;
    static final int CODE_KEY_NOT_FOUND = 10009;
    static final int CODE_NAMESPACE_NOT_FOUND = 10013;
    static final int CODE_PAYLOAD_TOO_LARGE = 10024;
    static final int CODE_KEY_TOO_LONG = 10030;
    static final int CODE_INVALID_EXPIRATION = 10033;
    static final int CODE_INVALID_EXPIRATION_TTL = 10034;
    static final int CODE_NOT_PERMITTED = 10037;
    static final int CODE_INVALID_CURSOR = 10041;
    static final int CODE_INVALID_METADATA = 10047;
    static final int CODE_FREE_TIER_LIMIT = 10048;
    /** The API gateway's "please wait and consider throttling your request speed". */
    static final int CODE_API_RATE_LIMIT = 971;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What an answer means for the operation that got it. */
    enum Kind {
        /** 2xx. */
        OK,
        /** 404 with error 10009: the key is absent. */
        KEY_NOT_FOUND,
        /** 429 from the account's API rate limit: wait out {@code Retry-After}, then try again. */
        ACCOUNT_RATE_LIMIT,
        /** 429 on a write without an account-wide code: the key took another write within a second. */
        KEY_WRITE_LIMIT,
        /** Error 10048: a daily free-tier counter is used up; nothing helps before 00:00 UTC. */
        FREE_TIER,
        /** 5xx or error 10001: may pass; a write may or may not have landed. */
        TRANSIENT,
        /** Anything else: a configuration or programming error that retrying does not fix. */
        FATAL
    }

    /** One entry of the envelope's {@code errors}. */
    record ApiError(int code, String message) {
    }

    final int status;
    final byte[] body;
    final Optional<Duration> retryAfter;
    private final boolean envelope;
    private final JsonNode json;
    private final List<ApiError> errors;

    KvAnswer(HttpResponse<byte[]> r) {
        this(r.statusCode(), r.body() == null ? new byte[0] : r.body(), r.headers().firstValue("Retry-After"));
    }

    KvAnswer(int status, byte[] body, Optional<String> retryAfterHeader) {
        this.status = status;
        this.body = body;
        this.retryAfter = retryAfterHeader.flatMap(KvAnswer::seconds);
        JsonNode parsed = null;
        try {
            parsed = body.length == 0 ? null : JSON.readTree(body);
        } catch (IOException | RuntimeException e) {
            // Not JSON: a value, or a page from something that is not the KV API.
        }
        this.json = parsed;
        this.envelope = parsed != null && parsed.isObject() && parsed.path("success").isBoolean()
                && parsed.path("errors").isArray();
        List<ApiError> list = new ArrayList<>();
        if (envelope) {
            for (JsonNode e : parsed.path("errors")) {
                list.add(new ApiError(e.path("code").asInt(0), e.path("message").asText("")));
            }
        }
        this.errors = List.copyOf(list);
    }

    boolean isEnvelope() {
        return envelope;
    }

    /** The envelope, for JSON endpoints (metadata, keys, writes); null when the body is not one. */
    JsonNode json() {
        return envelope ? json : null;
    }

    List<ApiError> errors() {
        return errors;
    }

    boolean hasCode(int code) {
        return errors.stream().anyMatch(e -> e.code == code);
    }

    Kind kind(boolean write) {
        if (hasCode(CODE_FREE_TIER_LIMIT)) {
            return Kind.FREE_TIER;
        }
        if (status / 100 == 2) {
            return envelope && !json.path("success").asBoolean() ? Kind.FATAL : Kind.OK;
        }
        if (status == 404 && envelope && hasCode(CODE_KEY_NOT_FOUND)) {
            return Kind.KEY_NOT_FOUND;
        }
        if (status == 429) {
            return write && !hasCode(CODE_API_RATE_LIMIT) ? Kind.KEY_WRITE_LIMIT : Kind.ACCOUNT_RATE_LIMIT;
        }
        if (status >= 500 || hasCode(CODE_SERVICE_UNAVAILABLE)) {
            return Kind.TRANSIENT;
        }
        return Kind.FATAL;
    }

    /** {@code ", error 10013: namespace not found; ..."} for messages, redacted and cut short. */
    String summary(String token) {
        StringBuilder sb = new StringBuilder();
        for (ApiError e : errors) {
            String msg = e.message.length() > 200 ? e.message.substring(0, 200) + "..." : e.message;
            if (!token.isEmpty()) {
                msg = msg.replace(token, "[redacted]");
            }
            sb.append(sb.length() == 0 ? ", " : "; ").append("error ").append(e.code).append(": ").append(msg);
        }
        return sb.toString();
    }

    private static Optional<Duration> seconds(String header) {
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim()))));
        } catch (NumberFormatException e) {
            // An HTTP date, or garbage: the caller falls back to its own wait.
            return Optional.empty();
        }
    }
}
