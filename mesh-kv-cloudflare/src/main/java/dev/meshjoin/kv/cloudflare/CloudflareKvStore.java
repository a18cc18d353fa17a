package dev.meshjoin.kv.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.secret.SecretSource;
import dev.meshjoin.api.secret.SecretValue;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Consistency;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.api.store.StoreLimitException;
import dev.meshjoin.api.store.StoreLimits;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BootstrapStore} on Cloudflare Workers KV, through its REST API (v4).
 *
 * <h2>What it guarantees, and what it cannot</h2>
 * Workers KV is eventually consistent (a write may take 60 seconds or more to reach every
 * location) and has no compare-and-swap. This store therefore declares
 * {@link Consistency#eventual(Duration) eventual consistency with a 60 s bound}, and its
 * conditional writes are <em>read-check-write</em>: {@link #putIfAbsent} reads the key's metadata
 * and writes only if it saw nothing; {@link #compareAndSet} and {@link #delete} write only if the
 * version they read is the expected one. That excludes mistakes made from stale knowledge in a
 * single process, and nothing more: two writers racing within the propagation bound — from two
 * locations, or even from one — may both "win", and the last write silently replaces the other.
 * Versions live in the entry's metadata and are not unique after a delete. meshjoin's core reads
 * {@link #consistency()} and compensates (an election confirmed by re-reading after the bound, a
 * single writer for address allocations); code that needs real atomic writes uses a linearizable
 * store such as etcd.
 *
 * <h2>Requests</h2>
 * A read costs two requests (metadata, then value; a digest in the metadata proves both belong to
 * the same write, otherwise the read is retried), a conditional write two (metadata read, then
 * write), a listing one per 1,000 keys. Requests answered 429 or 5xx, and requests that fail on the
 * network, are retried with exponential backoff and jitter, honouring {@code Retry-After}, up to
 * {@link Builder#maxAttempts(int)} attempts. Keys over 512 bytes, values over 25 MiB, metadata
 * over 1,024 bytes and time-to-lives under 60 seconds are refused before any request is sent.
 *
 * <h2>Configuration</h2>
 * <pre>{@code
 * BootstrapStore store = CloudflareKvStore.builder()
 *         .fromEnvironment()          // CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_KV_NAMESPACE_ID, CLOUDFLARE_API_TOKEN
 *         .build();
 * }</pre>
 * The API token needs the "Workers KV Storage: Edit" permission. It is never logged, printed by
 * {@link #toString()} or put in an exception message.
 */
public final class CloudflareKvStore implements BootstrapStore {
    private static final Logger LOG = LoggerFactory.getLogger(CloudflareKvStore.class);

    /** Cloudflare's API base URL. */
    public static final URI DEFAULT_BASE_URL = URI.create("https://api.cloudflare.com/client/v4");
    public static final String ENV_ACCOUNT_ID = "CLOUDFLARE_ACCOUNT_ID";
    public static final String ENV_NAMESPACE_ID = "CLOUDFLARE_KV_NAMESPACE_ID";
    public static final String ENV_API_TOKEN = "CLOUDFLARE_API_TOKEN";
    /** Workers KV free tier: 1,000 writes a day per account (deletes and lists have their own 1,000). */
    public static final long FREE_TIER_WRITES_PER_DAY = 1_000;

    /** Workers KV limits. */
    static final int MAX_KEY_BYTES = 512;
    static final long MAX_VALUE_BYTES = 25L * 1024 * 1024;
    static final int MAX_METADATA_BYTES = 1024;
    static final Duration MIN_TTL = Duration.ofSeconds(60);

    // Error codes of the Workers KV v4 API (Cloudflare API reference, "Workers KV errors").
    static final int CODE_AUTHENTICATION = 10000;
    static final int CODE_KEY_NOT_FOUND = 10009;
    static final int CODE_NAMESPACE_NOT_FOUND = 10013;
    static final int CODE_PAYLOAD_TOO_LARGE = 10024;
    static final int CODE_KEY_TOO_LONG = 10030;

    /** The marker in metadata written by this store; other writers' keys read as version 1. */
    private static final String META_MARK = "meshjoin";
    private static final int TORN_READ_ATTEMPTS = 5;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUrl;
    private final String accountId;
    private final String namespaceId;
    private final String apiToken;
    private final String tokenSource;
    private final long writesPerDay;
    private final Consistency consistency;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration maxRetryAfter;
    private final Duration requestTimeout;
    private final Clock clock;
    private final Sleeper sleeper;
    private final HttpClient http;
    private final boolean ownsHttp;
    private final String name;

    /** Waits between retries; replaceable so tests can observe the waits. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private CloudflareKvStore(Builder b) {
        this.baseUrl = stripTrailingSlash(b.baseUrl);
        this.accountId = b.accountId;
        this.namespaceId = b.namespaceId;
        this.apiToken = b.apiToken;
        this.tokenSource = b.tokenSource;
        this.writesPerDay = b.writesPerDay;
        this.consistency = Consistency.eventual(b.propagationBound);
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.maxRetryAfter = b.maxRetryAfter;
        this.requestTimeout = b.requestTimeout;
        this.clock = b.clock;
        this.sleeper = b.sleeper;
        this.ownsHttp = b.httpClient == null;
        this.http = b.httpClient != null ? b.httpClient
                : HttpClient.newBuilder().connectTimeout(b.requestTimeout).version(HttpClient.Version.HTTP_1_1).build();
        this.name = "cloudflare-kv:" + accountId + "/" + namespaceId;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Consistency consistency() {
        return consistency;
    }

    @Override
    public int maxKeyBytes() {
        return MAX_KEY_BYTES;
    }

    /** What the builder declared: by default the free tier's 1,000 writes a day. */
    @Override
    public long writesPerDay() {
        return writesPerDay;
    }

    @Override
    public long maxValueBytes() {
        return MAX_VALUE_BYTES;
    }

    @Override
    public Duration minTtl() {
        return MIN_TTL;
    }

    // ------------------------------------------------------------------ BootstrapStore

    @Override
    public Optional<Entry> get(String key) {
        checkKey("get", key);
        String op = "get " + key;
        for (int attempt = 1; attempt <= TORN_READ_ATTEMPTS; attempt++) {
            Optional<Meta> meta = readMeta(op, key);
            if (meta.isEmpty()) {
                return Optional.empty();
            }
            Optional<byte[]> value = readValue(op, key);
            if (value.isEmpty()) {
                return Optional.empty();
            }
            Meta m = meta.get();
            if (m.digest == null || m.digest.equals(digest(value.get()))) {
                if (m.expiresAt != null && !clock.instant().isBefore(m.expiresAt)) {
                    return Optional.empty();
                }
                return Optional.of(new Entry(key, value.get(), m.version, Optional.ofNullable(m.expiresAt)));
            }
            // The value belongs to a newer (or older) write than the metadata: read both again.
            LOG.debug("{}: metadata and value of {} come from different writes, reading again", name, key);
        }
        throw new StoreException(name, op, "the value and its metadata kept changing between two reads; "
                + "another writer is updating the key in a loop", true);
    }

    @Override
    public Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
        StoreLimits.checkWrite(this, "putIfAbsent", key, value, ttl);
        checkKey("putIfAbsent", key);
        String op = "putIfAbsent " + key;
        if (readMeta(op, key).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(write(op, key, value, ttl, nextVersion(0)));
    }

    @Override
    public Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value, Duration ttl) {
        StoreLimits.checkWrite(this, "compareAndSet", key, value, ttl);
        checkKey("compareAndSet", key);
        String op = "compareAndSet " + key;
        Optional<Meta> current = readMeta(op, key);
        if (current.isEmpty() || current.get().version != expectedVersion) {
            return Optional.empty();
        }
        return Optional.of(write(op, key, value, ttl, nextVersion(expectedVersion)));
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        checkKey("delete", key);
        String op = "delete " + key;
        Optional<Meta> current = readMeta(op, key);
        if (current.isEmpty() || current.get().version != expectedVersion) {
            return false;
        }
        HttpResponse<byte[]> r = send(op, () -> request(valuesPath(key)).DELETE());
        if (r.statusCode() / 100 != 2 && !isKeyNotFound(r)) {
            throw failure(op, r);
        }
        return true;
    }

    @Override
    public List<KeyVersion> list(String prefix) {
        StoreLimits.checkPrefix(this, "list", prefix);
        String op = "list " + prefix;
        List<KeyVersion> out = new ArrayList<>();
        String cursor = "";
        do {
            String query = "?limit=1000&prefix=" + encode(prefix) + (cursor.isEmpty() ? "" : "&cursor=" + encode(cursor));
            URI uri = URI.create(namespacePath() + "/keys" + query);
            HttpResponse<byte[]> r = send(op, () -> request(uri).GET());
            if (r.statusCode() / 100 != 2) {
                throw failure(op, r);
            }
            JsonNode body = parse(op, r.body());
            JsonNode result = body.path("result");
            if (!result.isArray()) {
                throw new StoreException(name, op, "the listing has no result array", false);
            }
            Instant now = clock.instant();
            for (JsonNode k : result) {
                String keyName = k.path("name").asText(null);
                if (keyName == null) {
                    throw new StoreException(name, op, "a listed key has no name", false);
                }
                Instant exp = k.hasNonNull("expiration") ? Instant.ofEpochSecond(k.get("expiration").asLong()) : null;
                if (exp != null && !now.isBefore(exp)) {
                    continue;
                }
                Meta m = Meta.from(k.get("metadata"));
                out.add(new KeyVersion(keyName, m.version, Optional.ofNullable(exp != null ? exp : m.expiresAt)));
            }
            cursor = body.path("result_info").path("cursor").asText("");
        } while (!cursor.isEmpty());
        return out;
    }

    @Override
    public void close() {
        if (ownsHttp && http instanceof AutoCloseable c) {
            // HttpClient is AutoCloseable from Java 21 on; on 17 its threads end with the GC.
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing the HTTP client of {} failed", name, e);
            }
        }
    }

    @Override
    public String toString() {
        return "CloudflareKvStore[" + name + ", " + baseUrl + ", token from " + tokenSource + "]";
    }

    // ------------------------------------------------------------------ requests

    private Optional<Meta> readMeta(String op, String key) {
        HttpResponse<byte[]> r = send(op, () -> request(URI.create(namespacePath() + "/metadata/" + encode(key))).GET());
        if (isKeyNotFound(r)) {
            return Optional.empty();
        }
        if (r.statusCode() / 100 != 2) {
            throw failure(op, r);
        }
        Meta m = Meta.from(parse(op, r.body()).get("result"));
        if (m.expiresAt != null && !clock.instant().isBefore(m.expiresAt)) {
            return Optional.empty();
        }
        return Optional.of(m);
    }

    private Optional<byte[]> readValue(String op, String key) {
        HttpResponse<byte[]> r = send(op, () -> request(valuesPath(key)).GET());
        if (isKeyNotFound(r)) {
            return Optional.empty();
        }
        if (r.statusCode() / 100 != 2) {
            throw failure(op, r);
        }
        return Optional.of(r.body());
    }

    private Entry write(String op, String key, byte[] value, Duration ttl, long version) {
        long ttlSeconds = ttl == null ? 0 : ceilSeconds(ttl);
        // Whole seconds, as KV keeps them: the entry and a later listing then agree exactly.
        Instant expiresAt = ttl == null ? null : Instant.ofEpochSecond(clock.instant().getEpochSecond() + ttlSeconds);
        ObjectNode meta = JSON.createObjectNode();
        meta.put(META_MARK, 1);
        meta.put("v", version);
        meta.put("sha", digest(value));
        if (expiresAt != null) {
            meta.put("exp", expiresAt.getEpochSecond());
        }
        byte[] metaBytes = meta.toString().getBytes(StandardCharsets.UTF_8);
        if (metaBytes.length > MAX_METADATA_BYTES) {
            throw new StoreLimitException(name, op, "the metadata is " + metaBytes.length
                    + " bytes; Workers KV accepts at most " + MAX_METADATA_BYTES);
        }
        Multipart form = new Multipart().field("value", value).field("metadata", metaBytes);
        byte[] body = form.body();
        URI uri = ttl == null ? valuesPath(key) : URI.create(valuesPath(key) + "?expiration_ttl=" + ttlSeconds);
        HttpResponse<byte[]> r = send(op, () -> request(uri)
                .header("Content-Type", form.contentType())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
        if (r.statusCode() / 100 != 2) {
            throw failure(op, r);
        }
        JsonNode env = parse(op, r.body());
        if (!env.path("success").asBoolean(false)) {
            throw failure(op, r);
        }
        return new Entry(key, value, version, Optional.ofNullable(expiresAt));
    }

    /**
     * A version greater than the one replaced, taken from the clock so that a key deleted and
     * created again is unlikely to repeat an old version (KV keeps no history to prevent it).
     */
    private long nextVersion(long replaced) {
        return Math.max(replaced + 1, clock.millis());
    }

    /** Sends with retries on 429, 5xx and network failures; returns the final answer. */
    private HttpResponse<byte[]> send(String op, java.util.function.Supplier<HttpRequest.Builder> request) {
        String lastProblem = "";
        for (int attempt = 1; ; attempt++) {
            Duration wait;
            try {
                HttpResponse<byte[]> r = http.send(request.get().build(), HttpResponse.BodyHandlers.ofByteArray());
                int s = r.statusCode();
                if (s != 429 && s < 500) {
                    return r;
                }
                lastProblem = "HTTP " + s + errorSummary(r);
                final int failed = attempt;
                wait = retryAfter(r).orElseGet(() -> backoff(failed));
            } catch (IOException e) {
                lastProblem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + redact(e.getMessage()));
                wait = backoff(attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException(name, op, "interrupted", true, e);
            }
            if (attempt >= maxAttempts) {
                throw new StoreException(name, op, "gave up after " + attempt + " attempts; last answer: "
                        + lastProblem + ". Cloudflare may be rate limiting or unavailable; try again later", true);
            }
            LOG.debug("{}: {} answered {}, retrying in {} (attempt {}/{})", name, op, lastProblem, wait, attempt + 1, maxAttempts);
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException(name, op, "interrupted while waiting to retry", true, e);
            }
        }
    }

    private Optional<Duration> retryAfter(HttpResponse<?> r) {
        Optional<String> h = r.headers().firstValue("Retry-After");
        if (h.isEmpty()) {
            return Optional.empty();
        }
        try {
            long seconds = Long.parseLong(h.get().trim());
            Duration d = Duration.ofSeconds(Math.max(0, seconds));
            return Optional.of(d.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : d);
        } catch (NumberFormatException e) {
            // An HTTP date, or garbage: fall back to our own backoff.
            return Optional.empty();
        }
    }

    /** Exponential backoff with "equal jitter": half the step fixed, half random. */
    private Duration backoff(int attempt) {
        long base = initialBackoff.toMillis();
        long cap = maxBackoff.toMillis();
        long step = attempt >= 31 ? cap : Math.min(cap, base << (attempt - 1));
        long half = step / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(requestTimeout).header("Authorization", "Bearer " + apiToken);
    }

    private String namespacePath() {
        return baseUrl + "/accounts/" + encode(accountId) + "/storage/kv/namespaces/" + encode(namespaceId);
    }

    private URI valuesPath(String key) {
        return URI.create(namespacePath() + "/values/" + encode(key));
    }

    /** Percent-encodes everything but unreserved characters; KV takes the key as one path segment. */
    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A");
    }

    private boolean isKeyNotFound(HttpResponse<byte[]> r) {
        if (r.statusCode() != 404) {
            return false;
        }
        List<ApiError> errors = errors(r);
        // A 404 that names another error (an unknown namespace) is not an absent key.
        return errors.isEmpty() || errors.stream().anyMatch(e -> e.code == CODE_KEY_NOT_FOUND);
    }

    /** Turns an error answer into a message an operator can act on. */
    private StoreException failure(String op, HttpResponse<byte[]> r) {
        int s = r.statusCode();
        List<ApiError> errors = errors(r);
        boolean auth = s == 401 || s == 403 || errors.stream().anyMatch(e -> e.code == CODE_AUTHENTICATION);
        if (auth) {
            return new StoreException(name, op, "Cloudflare refused the API token from " + tokenSource
                    + " (HTTP " + s + errorSummary(r) + "). Check that the token is current, belongs to account "
                    + accountId + " and has the \"Workers KV Storage: Edit\" permission", false);
        }
        if (errors.stream().anyMatch(e -> e.code == CODE_NAMESPACE_NOT_FOUND)) {
            return new StoreException(name, op, "account " + accountId + " has no Workers KV namespace with id "
                    + namespaceId + " (HTTP " + s + errorSummary(r) + "). Check " + ENV_NAMESPACE_ID
                    + " against the namespace list in the Cloudflare dashboard", false);
        }
        if (s == 414 || errors.stream().anyMatch(e -> e.code == CODE_KEY_TOO_LONG)) {
            return new StoreLimitException(name, op, "Cloudflare refused the key as too long (HTTP " + s
                    + errorSummary(r) + "); keys are at most " + MAX_KEY_BYTES + " bytes");
        }
        if (s == 413 || errors.stream().anyMatch(e -> e.code == CODE_PAYLOAD_TOO_LARGE)) {
            return new StoreLimitException(name, op, "Cloudflare refused the value or metadata as too large (HTTP "
                    + s + errorSummary(r) + "); values are at most 25 MiB and metadata at most "
                    + MAX_METADATA_BYTES + " bytes");
        }
        return new StoreException(name, op, "unexpected answer HTTP " + s + errorSummary(r), s >= 500 || s == 429);
    }

    private record ApiError(int code, String message) {
    }

    private List<ApiError> errors(HttpResponse<byte[]> r) {
        List<ApiError> out = new ArrayList<>();
        try {
            JsonNode body = JSON.readTree(r.body());
            for (JsonNode e : body.path("errors")) {
                out.add(new ApiError(e.path("code").asInt(0), e.path("message").asText("")));
            }
        } catch (IOException | RuntimeException e) {
            // Not an envelope (a proxy's HTML page, an empty body): no API errors to report.
        }
        return out;
    }

    private String errorSummary(HttpResponse<byte[]> r) {
        StringBuilder sb = new StringBuilder();
        for (ApiError e : errors(r)) {
            String msg = e.message.length() > 200 ? e.message.substring(0, 200) + "..." : e.message;
            sb.append(sb.length() == 0 ? ", " : "; ").append("error ").append(e.code).append(": ").append(redact(msg));
        }
        return sb.toString();
    }

    /** Never let the token reach a message, even if a server or proxy echoes it. */
    private String redact(String s) {
        return apiToken.isEmpty() ? s : s.replace(apiToken, "[redacted]");
    }

    private JsonNode parse(String op, byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new StoreException(name, op, "the answer is not JSON: " + e.getMessage(), false, e);
        }
    }

    private void checkKey(String op, String key) {
        StoreLimits.checkKey(this, op, key);
        if (key.equals(".") || key.equals("..")) {
            throw new StoreLimitException(name, op + " " + key, "Workers KV does not accept the keys \".\" and \"..\"");
        }
    }

    private static long ceilSeconds(Duration d) {
        long s = d.getSeconds();
        return d.getNano() > 0 ? s + 1 : s;
    }

    static String digest(byte[] value) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(value);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(h, 12));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static URI stripTrailingSlash(URI u) {
        String s = u.toString();
        return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : u;
    }

    /** Our metadata: version, expiry and value digest. */
    private record Meta(long version, Instant expiresAt, String digest) {
        static Meta from(JsonNode node) {
            if (node == null || !node.isObject() || !node.has(META_MARK)) {
                return new Meta(1, null, null);
            }
            long v = node.path("v").asLong(1);
            Instant exp = node.hasNonNull("exp") ? Instant.ofEpochSecond(node.get("exp").asLong()) : null;
            String sha = node.hasNonNull("sha") ? node.get("sha").asText() : null;
            return new Meta(Math.max(1, v), exp, sha);
        }
    }

    /**
     * Settings of a {@link CloudflareKvStore}. Account id, namespace id and API token are required,
     * from the setters or {@link #fromEnvironment()}.
     */
    public static final class Builder {
        private URI baseUrl = DEFAULT_BASE_URL;
        private String accountId;
        private String namespaceId;
        private String apiToken;
        private String tokenSource = "the builder";
        private Duration propagationBound = Duration.ofSeconds(60);
        private long writesPerDay = FREE_TIER_WRITES_PER_DAY;
        private int maxAttempts = 6;
        private Duration initialBackoff = Duration.ofMillis(250);
        private Duration maxBackoff = Duration.ofSeconds(8);
        private Duration maxRetryAfter = Duration.ofSeconds(60);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = d -> Thread.sleep(d.toMillis());
        private HttpClient httpClient;

        private Builder() {
        }

        /** Reads account id, namespace id and API token from the process environment. */
        public Builder fromEnvironment() {
            return fromEnvironment(System.getenv());
        }

        /**
         * Reads the settings not already given from these variables ({@code CLOUDFLARE_*}); the API
         * token also from the file named by {@code CLOUDFLARE_API_TOKEN_FILE}.
         */
        public Builder fromEnvironment(Map<String, String> env) {
            if (accountId == null && nonBlank(env.get(ENV_ACCOUNT_ID))) {
                accountId = env.get(ENV_ACCOUNT_ID).trim();
            }
            if (namespaceId == null && nonBlank(env.get(ENV_NAMESPACE_ID))) {
                namespaceId = env.get(ENV_NAMESPACE_ID).trim();
            }
            if (apiToken == null) {
                // CLOUDFLARE_API_TOKEN or CLOUDFLARE_API_TOKEN_FILE (Docker secrets, systemd credentials).
                Optional<SecretValue> token = SecretSource.of(env).read(ENV_API_TOKEN);
                if (token.isPresent() && nonBlank(token.get().string())) {
                    apiToken = token.get().string().trim();
                    tokenSource = token.get().origin().equals(ENV_API_TOKEN)
                            ? "the environment variable " + ENV_API_TOKEN : token.get().origin();
                }
            }
            return this;
        }

        /** The API base URL; {@link #DEFAULT_BASE_URL} unless tests point it at a local server. */
        public Builder baseUrl(URI baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        public Builder accountId(String accountId) {
            this.accountId = accountId;
            return this;
        }

        public Builder namespaceId(String namespaceId) {
            this.namespaceId = namespaceId;
            return this;
        }

        public Builder apiToken(String apiToken) {
            this.apiToken = apiToken;
            this.tokenSource = "the builder";
            return this;
        }

        /**
         * The writes a day this namespace can afford ({@link #writesPerDay()}): the free tier's
         * 1,000 by default; a paid account raises it.
         */
        public Builder writesPerDay(long v) {
            if (v < 1) {
                throw new ConfigurationException("writesPerDay must be at least 1, got " + v);
            }
            this.writesPerDay = v;
            return this;
        }

        /** The propagation bound declared in {@link #consistency()}; 60 s (Cloudflare's figure). */
        public Builder propagationBound(Duration bound) {
            this.propagationBound = Objects.requireNonNull(bound);
            return this;
        }

        /** Attempts per request, including the first; 6 by default. */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1) {
                throw new ConfigurationException("maxAttempts must be at least 1, got " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /** First and largest backoff step between retries; 250 ms and 8 s by default. */
        public Builder backoff(Duration initial, Duration max) {
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new ConfigurationException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** The longest {@code Retry-After} honoured; longer ones are cut to it. 60 s by default. */
        public Builder maxRetryAfter(Duration max) {
            this.maxRetryAfter = Objects.requireNonNull(max);
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** The clock for versions and expiry; tests share it with the local server. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper);
            return this;
        }

        /** A shared HTTP client; the store then leaves it open on {@link #close()}. */
        public Builder httpClient(HttpClient client) {
            this.httpClient = client;
            return this;
        }

        public CloudflareKvStore build() {
            List<String> missing = new ArrayList<>();
            if (!nonBlank(accountId)) {
                missing.add("account id (" + ENV_ACCOUNT_ID + ")");
            }
            if (!nonBlank(namespaceId)) {
                missing.add("namespace id (" + ENV_NAMESPACE_ID + ")");
            }
            if (!nonBlank(apiToken)) {
                missing.add("API token (" + ENV_API_TOKEN + ")");
            }
            if (!missing.isEmpty()) {
                throw new ConfigurationException("the Cloudflare KV store needs " + String.join(", ", missing)
                        + "; set them on the builder or in the environment");
            }
            String scheme = baseUrl.getScheme();
            if (!"https".equals(scheme) && !("http".equals(scheme) && isLoopback(baseUrl))) {
                // The API token travels in a header: never send it in clear text off this machine.
                throw new ConfigurationException("the Cloudflare API base URL must be https (plain http only to "
                        + "loopback, for tests), got " + baseUrl);
            }
            return new CloudflareKvStore(this);
        }

        private static boolean isLoopback(URI u) {
            String h = u.getHost();
            return h != null && (h.equals("127.0.0.1") || h.equals("localhost") || h.equals("[::1]") || h.equals("::1"));
        }

        private static boolean nonBlank(String s) {
            return s != null && !s.isBlank();
        }

        @Override
        public String toString() {
            return "CloudflareKvStore.Builder[" + baseUrl + ", account " + accountId + ", namespace " + namespaceId
                    + ", token " + (apiToken == null ? "unset" : "set, from " + tokenSource) + "]";
        }
    }
}
