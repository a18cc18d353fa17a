package dev.meshjoin.kv.cloudflare;

import dev.meshjoin.api.retry.RetryPolicy;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Consistency;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.api.store.StoreLimitException;
import dev.meshjoin.api.store.StoreLimits;
import dev.meshjoin.kv.cloudflare.KvTransport.Op;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
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
 * version they read is the expected one. Two writers racing within the propagation bound may both
 * "win", and the last write replaces the other; meshjoin's core reads {@link #consistency()} and
 * compensates. Code that needs real atomic writes uses a linearizable store.
 *
 * <h2>One write per check</h2>
 * Every check is followed by at most one PUT. When its answer is lost (a timeout, a 5xx, the
 * account's rate limit) the store reads the metadata again and decides from the digest and write
 * id kept there whether <em>this</em> write landed; only a fresh check that still holds leads to
 * another PUT. A 429 from KV's one-write-per-second-per-key limit on a conditional write means
 * another writer took the key a moment ago: a lost race, reported as a conflict, never re-sent.
 * This store spaces its own writes of a key a second apart, so it never races itself.
 *
 * <h2>Retries, limits, deadline</h2>
 * The store retries by itself ({@link #retriesItself()}), in one loop ({@link RetryPolicy#call}):
 * 5xx answers, network failures and the account's API rate limit (1,200 requests per 5 minutes per
 * token; then every call is blocked for 5 minutes, and the store waits out {@code Retry-After} for
 * all its threads). Error 10048 (a daily free-tier counter used up) fails at once. Every request,
 * wait and retry ends at the caller's {@link dev.meshjoin.api.retry.Deadline}. Keys over 512
 * bytes, values over 25 MiB and time-to-lives under 60 seconds are refused before anything is sent.
 *
 * <h2>Configuration</h2>
 * <pre>{@code
 * BootstrapStore store = CloudflareKvStore.builder()
 *         .fromEnvironment()   // CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_KV_NAMESPACE_ID, CLOUDFLARE_API_TOKEN[_FILE]
 *         .build();
 * }</pre>
 * The API token needs the "Workers KV Storage: Edit" permission. It is sent only to
 * {@code https://api.cloudflare.com} or a loopback address (others only with
 * {@link Builder#allowEndpoint(boolean)}), never logged, printed or put in a message.
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
    /** A file holding the API token, for secrets mounted as files. */
    public static final String ENV_API_TOKEN_FILE = "CLOUDFLARE_API_TOKEN_FILE";

    /** Workers KV limits. */
    static final int MAX_KEY_BYTES = 512;
    static final long MAX_VALUE_BYTES = 25L * 1024 * 1024;
    static final int MAX_METADATA_BYTES = 1024;
    static final Duration MIN_TTL = Duration.ofSeconds(60);
    private static final int TORN_READ_ATTEMPTS = 5;

    private final URI baseUrl;
    private final String tokenSource;
    private final long writesPerDay;
    private final Consistency consistency;
    private final RetryPolicy policy;
    private final Clock clock;
    private final HttpClient http;
    private final boolean ownsHttp;
    private final String name;
    private final KvTransport transport;

    /** Waits for the account's rate-limit block and a key's next write slot; replaceable in tests. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private CloudflareKvStore(Builder b) {
        this.baseUrl = b.baseUrl;
        this.tokenSource = b.tokenSource;
        this.writesPerDay = b.writesPerDay;
        this.consistency = Consistency.eventual(b.propagationBound);
        this.policy = RetryPolicy.exponential(b.initialBackoff, b.maxBackoff, b.maxAttempts);
        this.clock = b.clock;
        this.ownsHttp = b.httpClient == null;
        // Redirects are never followed (the default): the token must not travel to another host.
        this.http = b.httpClient != null ? b.httpClient : HttpClient.newBuilder().connectTimeout(b.requestTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();
        this.name = "cloudflare-kv:" + b.accountId + "/" + b.namespaceId;
        this.transport = new KvTransport(name, baseUrl, b.accountId, b.namespaceId, b.apiToken, b.tokenSource, http,
                b.requestTimeout, b.maxRetryAfter, b.sleeper, b.clock);
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
    public boolean retriesItself() {
        return true;
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

    @Override
    public Optional<Entry> get(String key) {
        checkKey("get", key);
        String op = "get " + key;
        return retrying(op, () -> {
            for (int attempt = 1; attempt <= TORN_READ_ATTEMPTS; attempt++) {
                Optional<KvMeta> meta = transport.readMeta(op, key);
                if (meta.isEmpty()) {
                    return Optional.empty();
                }
                Optional<byte[]> value = transport.readValue(op, key);
                if (value.isEmpty()) {
                    return Optional.empty();
                }
                KvMeta m = meta.get();
                if (m.digest() == null || m.digest().equals(KvMeta.digest(value.get()))) {
                    return Optional.of(entry(key, value.get(), m));
                }
                // The value belongs to another write than the metadata: read both again.
                LOG.debug("{}: metadata and value of {} come from different writes, reading again", name, key);
            }
            throw new StoreException(name, op, "the value and its metadata kept changing between two reads; "
                    + "another writer is updating the key in a loop", true);
        });
    }

    @Override
    public Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
        StoreLimits.checkWrite(this, "putIfAbsent", key, value, ttl);
        checkKey("putIfAbsent", key);
        return conditionalWrite("putIfAbsent " + key, key, value, ttl, 0, Optional::isEmpty);
    }

    @Override
    public Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value, Duration ttl) {
        StoreLimits.checkWrite(this, "compareAndSet", key, value, ttl);
        checkKey("compareAndSet", key);
        return conditionalWrite("compareAndSet " + key, key, value, ttl, expectedVersion,
                current -> current.isPresent() && current.get().version() == expectedVersion);
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        checkKey("delete", key);
        String op = "delete " + key;
        boolean[] sent = {false};
        return retrying(op, () -> {
            Optional<KvMeta> current = transport.readMeta(op, key);
            if (current.isEmpty()) {
                return sent[0]; // gone: by our earlier DELETE whose answer was lost, or by another's
            }
            if (current.get().version() != expectedVersion) {
                return false;
            }
            transport.paceWrite(op, key);
            sent[0] = true;
            KvAnswer a = transport.exchange(op, Op.DELETE, transport.request(transport.valueUri(key)).DELETE());
            return switch (a.kind(true)) {
                case OK, KEY_NOT_FOUND -> {
                    transport.wrote(key);
                    yield true;
                }
                // Another writer took the key's write slot this second: our delete was refused.
                case KEY_WRITE_LIMIT -> false;
                default -> throw transport.failure(op, a);
            };
        });
    }

    @Override
    public List<KeyVersion> list(String prefix) {
        StoreLimits.checkPrefix(this, "list", prefix);
        String op = "list " + prefix;
        List<KeyVersion> out = new ArrayList<>();
        String cursor = "";
        boolean restarted = false;
        do {
            String query = "?limit=1000&prefix=" + KvTransport.encode(prefix)
                    + (cursor.isEmpty() ? "" : "&cursor=" + KvTransport.encode(cursor));
            URI uri = transport.namespaceUri("/keys" + query);
            KvAnswer a = retrying(op, () -> transport.exchange(op, Op.LIST, transport.request(uri).GET()));
            if (a.kind(false) != KvAnswer.Kind.OK || a.json() == null) {
                if (!restarted && a.hasCode(KvAnswer.CODE_INVALID_CURSOR)) {
                    // A cursor can expire while we page; the listing is read again from the start, once.
                    restarted = true;
                    out.clear();
                    cursor = "";
                    continue;
                }
                throw transport.failure(op, a);
            }
            out.addAll(transport.listed(op, a));
            cursor = a.json().path("result_info").path("cursor").asText("");
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

    /**
     * One check, then at most one PUT. {@code sent} survives the retry loop: once a PUT went out
     * whose answer was lost, the next check first asks whether the write that is there is ours.
     */
    private Optional<Entry> conditionalWrite(String op, String key, byte[] value, Duration ttl, long replaced,
            Predicate<Optional<KvMeta>> precondition) {
        long ttlSeconds = ttl == null ? 0 : ceilSeconds(ttl);
        // Whole seconds, as KV keeps them: the entry and a later listing then agree exactly.
        Instant expiresAt = ttl == null ? null : Instant.ofEpochSecond(clock.instant().getEpochSecond() + ttlSeconds);
        KvMeta mine = KvMeta.forWrite(value, Math.max(replaced + 1, clock.millis()), expiresAt);
        byte[] metaJson = mine.toJson();
        if (metaJson.length > MAX_METADATA_BYTES) {
            throw new StoreLimitException(name, op, "the metadata is " + metaJson.length
                    + " bytes; Workers KV accepts at most " + MAX_METADATA_BYTES);
        }
        Multipart form = new Multipart().file("value", value).json("metadata", metaJson);
        byte[] body = form.body();
        URI uri = ttl == null ? transport.valueUri(key)
                : URI.create(transport.valueUri(key) + "?expiration_ttl=" + ttlSeconds);
        Entry written = entry(key, value, mine);
        boolean[] sent = {false};
        return retrying(op, () -> {
            Optional<KvMeta> current = transport.readMeta(op, key);
            if (sent[0] && current.isPresent() && mine.sameWrite(current.get())) {
                return Optional.of(written);
            }
            if (!precondition.test(current)) {
                return Optional.empty();
            }
            transport.paceWrite(op, key);
            sent[0] = true;
            KvAnswer a = transport.exchange(op, Op.WRITE, transport.request(uri)
                    .header("Content-Type", form.contentType()).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
            return switch (a.kind(true)) {
                case OK -> {
                    transport.wrote(key);
                    yield Optional.of(written);
                }
                // Another writer took the key this second: a lost race, unless what landed is ours.
                case KEY_WRITE_LIMIT -> transport.readMeta(op, key).filter(mine::sameWrite).map(m -> written);
                default -> throw transport.failure(op, a);
            };
        });
    }

    private <T> T retrying(String op, Supplier<T> attempt) {
        int[] attempts = {0};
        try {
            return policy.call(() -> {
                attempts[0]++;
                return attempt.get();
            }, e -> e instanceof KvTransientException, (n, e, delay) -> LOG.debug("{}: {}; attempt {} of {} in {} ms",
                    name, e.getMessage(), n + 1, policy.maxAttempts(), delay.toMillis()));
        } catch (KvTransientException e) {
            throw new StoreException(name, op, "gave up after " + attempts[0] + " attempt" + (attempts[0] == 1 ? "" : "s")
                    + "; last answer: " + e.problem() + ". Try again later", true, e);
        }
    }

    private Entry entry(String key, byte[] value, KvMeta m) {
        return new Entry(key, value, m.version(), Optional.ofNullable(m.expiresAt()));
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

    /**
     * Settings of a {@link CloudflareKvStore}. Account id, namespace id and API token are required,
     * from the setters or {@link #fromEnvironment()}.
     */
    public static final class Builder {
        private URI baseUrl = DEFAULT_BASE_URL;
        private boolean allowEndpoint;
        private String accountId;
        private String namespaceId;
        private String apiToken;
        private String tokenSource = "the builder";
        private Duration propagationBound = Duration.ofSeconds(60);
        private long writesPerDay = FREE_TIER_WRITES_PER_DAY;
        private int maxAttempts = 6;
        private Duration initialBackoff = Duration.ofMillis(250);
        private Duration maxBackoff = Duration.ofSeconds(8);
        private Duration maxRetryAfter = KvTransport.ACCOUNT_BLOCK;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        private HttpClient httpClient;

        private Builder() {
        }

        /** Reads account id, namespace id and API token from the process environment. */
        public Builder fromEnvironment() {
            return fromEnvironment(System.getenv());
        }

        /**
         * Reads the settings not already given from these variables: {@code CLOUDFLARE_ACCOUNT_ID},
         * {@code CLOUDFLARE_KV_NAMESPACE_ID}, and {@code CLOUDFLARE_API_TOKEN} or
         * {@code CLOUDFLARE_API_TOKEN_FILE} (a file holding the token).
         */
        public Builder fromEnvironment(Map<String, String> env) {
            KvSettings.FromEnvironment found = KvSettings.fromEnvironment(env);
            accountId = accountId != null ? accountId : found.accountId();
            namespaceId = namespaceId != null ? namespaceId : found.namespaceId();
            if (apiToken == null && found.apiToken() != null) {
                apiToken = found.apiToken();
                tokenSource = found.tokenSource();
            }
            return this;
        }

        /**
         * The API base URL; {@link #DEFAULT_BASE_URL} unless tests point it at a local server. Only
         * {@code https://api.cloudflare.com/...} and loopback addresses are accepted, others only
         * with {@link #allowEndpoint(boolean)}: the API token travels to this host.
         */
        public Builder baseUrl(URI baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        /** Accepts a base URL on another host than api.cloudflare.com or loopback (still https only). */
        public Builder allowEndpoint(boolean allow) {
            this.allowEndpoint = allow;
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
            this.writesPerDay = KvSettings.atLeastOne("writesPerDay", v);
            return this;
        }

        /** The propagation bound declared in {@link #consistency()}; 60 s (Cloudflare's figure). */
        public Builder propagationBound(Duration bound) {
            this.propagationBound = Objects.requireNonNull(bound);
            return this;
        }

        /** Attempts per operation, including the first; 6 by default. */
        public Builder maxAttempts(int attempts) {
            this.maxAttempts = (int) KvSettings.atLeastOne("maxAttempts", attempts);
            return this;
        }

        /** First and largest backoff step between retries; 250 ms and 8 s by default. */
        public Builder backoff(Duration initial, Duration max) {
            KvSettings.checkBackoff(initial, max);
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** The longest {@code Retry-After} honoured; longer ones are cut to it. 5 minutes by default. */
        public Builder maxRetryAfter(Duration max) {
            this.maxRetryAfter = Objects.requireNonNull(max);
            return this;
        }

        /** The longest wait for one answer (capped by the caller's deadline); 30 s by default. */
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

        /** A shared HTTP client (it must not follow redirects); the store leaves it open on close. */
        public Builder httpClient(HttpClient client) {
            this.httpClient = client;
            return this;
        }

        public CloudflareKvStore build() {
            KvSettings.requireAll(accountId, namespaceId, apiToken);
            baseUrl = KvSettings.checkEndpoint(baseUrl, allowEndpoint);
            return new CloudflareKvStore(this);
        }

        @Override
        public String toString() {
            return "CloudflareKvStore.Builder[" + baseUrl + ", account " + accountId + ", namespace " + namespaceId
                    + ", token " + (apiToken == null ? "unset" : "set, from " + tokenSource) + "]";
        }
    }
}
