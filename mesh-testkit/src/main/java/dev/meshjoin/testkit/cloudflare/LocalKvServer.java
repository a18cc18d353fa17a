package dev.meshjoin.testkit.cloudflare;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.meshjoin.testkit.cloudflare.AccountLimits.Counter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP server that answers like the Cloudflare Workers KV REST API (v4), so the KV
 * adapter is tested without an account or the internet.
 *
 * <p>It follows the documented behaviour: the same paths under {@code /client/v4}, the JSON
 * envelope ({@code success}, {@code errors}, {@code messages}, {@code result}), a bearer token
 * check, keys of at most 512 bytes, values of at most 25 MiB, metadata of at most 1024 bytes,
 * {@code expiration_ttl} of at least 60 seconds (error 10034), one write per second per key
 * (answered 429), listing in key order with cursor paging (limit 10..1000, default 1000), the
 * account's API rate limit (1,200 requests per 5 minutes, then every call answered 429 for 5
 * minutes) and, when {@link Builder#freeTier()} is on, the free tier's daily counters (100,000
 * reads, 1,000 writes, 1,000 deletes, 1,000 lists; then error 10048 until 00:00 UTC).
 *
 * <p>It also models what makes KV hard to use correctly: each client may talk to its own
 * {@linkplain #baseUrl(String) location}; a write becomes visible at other locations only after
 * {@link Builder#propagationDelay(Duration)} plus up to {@link Builder#jitter(Duration)} beyond it
 * (and at its own location too, unless {@link Builder#writerSeesOwnWrites(boolean)}); "not found"
 * answers are cached per location for {@link Builder#negativeCacheTtl(Duration)}. Faults can be
 * injected ({@link #failNext(int)}, {@link #rateLimitNext(int, int)},
 * {@link #keyWriteLimitNext(int)}, {@link #loseAnswerOfNext(RequestKind, int)}), and every request
 * is counted by {@link RequestKind}.
 *
 * <p>Times (expiry, propagation, limits) follow the injectable {@link Clock}; a
 * {@code MutableClock} moves them without waiting.
 */
public final class LocalKvServer implements AutoCloseable {

    /** The kinds of request the server counts. */
    public enum RequestKind {
        GET_VALUE, GET_METADATA, PUT, DELETE, LIST, REFUSED
    }

    /** Key, value and metadata limits documented for Workers KV. */
    public static final int MAX_KEY_BYTES = 512;
    public static final long MAX_VALUE_BYTES = 25L * 1024 * 1024;
    public static final int MAX_METADATA_BYTES = 1024;
    public static final long MIN_EXPIRATION_TTL_SECONDS = 60;
    /** The location {@link #baseUrl()} serves. */
    public static final String DEFAULT_LOCATION = "default";

    // Error codes of the Workers KV v4 API and the API gateway, as Cloudflare answers them.
    static final int AUTHENTICATION_ERROR = 10000;
    static final int SERVICE_UNAVAILABLE = 10001;
    static final int KEY_NOT_FOUND = 10009;
    static final int NAMESPACE_NOT_FOUND = 10013;
    static final int TOO_MANY_REQUESTS = 10022;
    static final int ENDPOINT_NOT_FOUND = 10025;
    static final int INVALID_LIMIT = 10028;
    static final int KEY_TOO_LONG = 10030;
    static final int INVALID_CURSOR = 10041;
    static final int FREE_TIER_LIMIT = 10048;
    static final int API_RATE_LIMIT = 971;

    static {
        // Without TCP_NODELAY, Nagle and delayed ACKs add ~40 ms per answer; read once, at class load.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final ExecutorService executor;
    private final Map<String, HttpServer> locations = new LinkedHashMap<>();
    private final String accountId;
    private final Set<String> namespaces;
    private final byte[] token;
    private final Clock clock;
    private final boolean writeRateLimit;
    private final Object lock = new Object();
    private final KvData data;
    private final AccountLimits limits;
    private final Map<RequestKind, AtomicInteger> counts = new EnumMap<>(RequestKind.class);
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final KvFaults faults = new KvFaults();
    private final KvApi api;

    private LocalKvServer(Builder b) {
        this.accountId = b.accountId;
        this.namespaces = new LinkedHashSet<>(b.namespaces);
        this.token = b.token.getBytes(StandardCharsets.UTF_8);
        this.clock = b.clock;
        this.writeRateLimit = b.writeRateLimit;
        this.data = new KvData(namespaces, b.propagationDelay, b.jitter, b.negativeCacheTtl, b.writerSeesOwnWrites);
        this.limits = new AccountLimits(b.rateLimitRequests, b.rateLimitWindow, b.rateLimitBlock, b.daily);
        this.api = new KvApi(lock, data, limits, clock, writeRateLimit);
        for (RequestKind k : RequestKind.values()) {
            counts.put(k, new AtomicInteger());
        }
        this.executor = Executors.newFixedThreadPool(b.threads, r -> {
            Thread t = new Thread(r, "local-kv-server");
            t.setDaemon(true);
            return t;
        });
        baseUrl(DEFAULT_LOCATION);
    }

    public static Builder builder() {
        return new Builder();
    }
    /** The API base URL of the default location, such as {@code http://127.0.0.1:41234/client/v4}. */
    public URI baseUrl() {
        return baseUrl(DEFAULT_LOCATION);
    }

    /**
     * The API base URL of a location (a Cloudflare data centre), started on first use on a port of
     * its own. Give each client its own location to see KV's per-location visibility.
     */
    public URI baseUrl(String location) {
        synchronized (locations) {
            HttpServer s = locations.get(location);
            if (s == null) {
                try {
                    s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot start the local KV server on loopback: " + e.getMessage(), e);
                }
                s.setExecutor(executor);
                s.createContext("/client/v4/", ex -> handle(ex, location));
                s.start();
                locations.put(location, s);
            }
            return URI.create("http://127.0.0.1:" + s.getAddress().getPort() + "/client/v4");
        }
    }

    /** The account id requests must name. */
    public String accountId() {
        return accountId;
    }

    /** The first namespace id the server knows. */
    public String namespaceId() {
        return namespaces.iterator().next();
    }

    /** How many requests of a kind reached the server since it started or was last reset. */
    public int requests(RequestKind kind) {
        return counts.get(kind).get();
    }

    /** How many requests of any kind reached the server. */
    public int totalRequests() {
        return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** The most requests that arrived within any span of {@code window} since the last reset. */
    public int peakRequests(Duration window) {
        synchronized (lock) {
            return limits.peak(window);
        }
    }

    /** How often the account's API rate limit has blocked all calls. */
    public int rateLimitBlocks() {
        synchronized (lock) {
            return limits.blocks();
        }
    }

    /** Method and raw path of every request, in arrival order. */
    public List<String> requestLog() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /** Zeroes the request counts, log and peak; the limits' own counters go on. */
    public void resetCounts() {
        counts.values().forEach(c -> c.set(0));
        log.clear();
        synchronized (lock) {
            limits.reset();
        }
    }

    /** The next {@code n} requests are answered 503 with the service-unavailable error. */
    public void failNext(int n) {
        failNext(n, 503);
    }
    /** The next {@code n} requests are answered with this 5xx status. */
    public void failNext(int n, int status) {
        faults.add(null, n, status, SERVICE_UNAVAILABLE, null, false);
    }

    /** The next {@code n} requests of a kind are answered with this 5xx status, without being carried out. */
    public void failNextOf(RequestKind kind, int n, int status) {
        faults.add(kind, n, status, SERVICE_UNAVAILABLE, null, false);
    }

    /** The next {@code n} requests are answered 429 by the API rate limit with {@code Retry-After}. */
    public void rateLimitNext(int n, int retryAfterSeconds) {
        faults.add(null, n, 429, API_RATE_LIMIT, retryAfterSeconds, false);
    }

    /** The next {@code n} writes (PUT) are answered 429 by the per-key limit, as if another writer had the key. */
    public void keyWriteLimitNext(int n) {
        keyWriteLimit(null, 0, n);
    }

    /** {@link #keyWriteLimitNext(int)} for the writes of one key (null: any) once {@code skip} of them passed. */
    public void keyWriteLimit(String key, int skip, int n) {
        faults.add(RequestKind.PUT, key, skip, n, 429, TOO_MANY_REQUESTS, 1, false);
    }

    /** The next {@code n} requests of a kind are carried out, then answered 502 (the answer is "lost"). */
    public void loseAnswerOfNext(RequestKind kind, int n) {
        faults.add(kind, n, 502, SERVICE_UNAVAILABLE, null, true);
    }

    /** The value a reader at the default location would see now, or null; for assertions. */
    public byte[] visibleValue(String namespace, String key) {
        synchronized (lock) {
            KvData.Write w = data.visible(namespace, key, clock.instant(), DEFAULT_LOCATION);
            return w == null ? null : w.value().clone();
        }
    }

    /** The latest value written, visible or not yet; for assertions. */
    public byte[] latestValue(String namespace, String key) {
        synchronized (lock) {
            KvData.Write w = data.latest(namespace, key, clock.instant());
            return w == null ? null : w.value().clone();
        }
    }

    @Override
    public void close() {
        synchronized (locations) {
            locations.values().forEach(s -> s.stop(0));
        }
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "LocalKvServer[" + baseUrl() + ", account " + accountId + ", namespaces " + namespaces + "]";
    }
    private void handle(HttpExchange ex, String location) throws IOException {
        try (ex) {
            String rawPath = ex.getRequestURI().getRawPath();
            log.add(ex.getRequestMethod() + " " + rawPath
                    + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()));
            KvResponse r = route(ex, rawPath, location);
            if (r.kind != null) {
                counts.get(r.kind).incrementAndGet();
            }
            r.writeTo(ex);
        } catch (RuntimeException e) {
            // A bug in the server must show up in the test, not as a hung client.
            KvResponse.error(500, SERVICE_UNAVAILABLE, "local server error: " + e).writeTo(ex);
            throw e;
        }
    }

    private KvResponse route(HttpExchange ex, String rawPath, String location) throws IOException {
        // /client/v4/accounts/{account}/storage/kv/namespaces/{ns}/{values|metadata|keys}[/{key}]
        String[] seg = rawPath.split("/", -1);
        if (seg.length < 10 || !seg[3].equals("accounts") || !seg[5].equals("storage")
                || !seg[6].equals("kv") || !seg[7].equals("namespaces")) {
            drain(ex);
            return KvResponse.error(404, ENDPOINT_NOT_FOUND, "No route for that URI").refused();
        }
        if (!authorized(ex) || !seg[4].equals(accountId)) {
            drain(ex);
            return KvResponse.error(403, AUTHENTICATION_ERROR, "Authentication error").refused();
        }
        String ns = seg[8];
        String resource = seg[9];
        String method = ex.getRequestMethod();
        Instant now = clock.instant();
        synchronized (lock) {
            long blocked = limits.admit(now);
            if (blocked >= 0) {
                drain(ex);
                return KvResponse.error(429, API_RATE_LIMIT, "Please wait and consider throttling your request speed")
                        .header("Retry-After", Long.toString(blocked)).refused();
            }
        }
        if (!namespaces.contains(ns)) {
            drain(ex);
            return KvResponse.error(404, NAMESPACE_NOT_FOUND, "namespace not found").refused();
        }
        RequestKind kind = kindOf(resource, method, seg.length);
        if (kind == null) {
            drain(ex);
            return KvResponse.error(seg.length == 11 ? 405 : 404, ENDPOINT_NOT_FOUND, "No route for that URI").refused();
        }
        String key = kind == RequestKind.LIST ? null : decodePathSegment(seg[10]);
        KvFaults.Fault fault = faults.take(kind, key);
        if (fault != null && !fault.apply()) {
            drain(ex);
            return fault.answer();
        }
        KvResponse r = kind == RequestKind.LIST ? api.list(ns, ex.getRequestURI().getRawQuery(), location)
                : api.keyOperation(ex, ns, key, kind, location, now);
        return fault == null ? r : fault.answer().kind(r.kind);
    }

    private static RequestKind kindOf(String resource, String method, int segments) {
        if (segments == 10) {
            return resource.equals("keys") && method.equals("GET") ? RequestKind.LIST : null;
        }
        if (segments != 11) {
            return null;
        }
        if (resource.equals("metadata")) {
            return method.equals("GET") ? RequestKind.GET_METADATA : null;
        }
        if (!resource.equals("values")) {
            return null;
        }
        return switch (method) {
            case "GET" -> RequestKind.GET_VALUE;
            case "PUT" -> RequestKind.PUT;
            case "DELETE" -> RequestKind.DELETE;
            default -> null;
        };
    }

    private boolean authorized(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            return false;
        }
        byte[] presented = auth.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(presented, token);
    }

    static void drain(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    /** Percent-decoding only: in a path, '+' is a plus sign, not a space. */
    static String decodePathSegment(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Settings of a {@link LocalKvServer}. */
    public static final class Builder {
        private String accountId = "0123456789abcdef0123456789abcdef";
        private final List<String> namespaces = new ArrayList<>();
        private String token = "local-test-token";
        private Clock clock = Clock.systemUTC();
        private Duration propagationDelay = Duration.ZERO;
        private Duration jitter = Duration.ZERO;
        private Duration negativeCacheTtl = Duration.ZERO;
        private boolean writerSeesOwnWrites;
        private boolean writeRateLimit = true;
        private int rateLimitRequests = 1200;
        private Duration rateLimitWindow = Duration.ofMinutes(5);
        private Duration rateLimitBlock = Duration.ofMinutes(5);
        private Map<Counter, Long> daily;
        private int threads = 8;

        private Builder() {
        }

        public Builder accountId(String accountId) {
            this.accountId = Objects.requireNonNull(accountId);
            return this;
        }

        /** Adds a namespace; without any, one namespace {@code fedcba9876543210fedcba9876543210} exists. */
        public Builder namespace(String namespaceId) {
            namespaces.add(Objects.requireNonNull(namespaceId));
            return this;
        }

        /** The API token requests must carry as {@code Authorization: Bearer <token>}. */
        public Builder token(String token) {
            this.token = Objects.requireNonNull(token);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** How long a write takes to become visible to reads and listings; zero by default. */
        public Builder propagationDelay(Duration delay) {
            this.propagationDelay = nonNegative(delay, "propagation delay");
            return this;
        }

        /** Up to how much longer than the propagation delay a write may take at a location; zero by default. */
        public Builder jitter(Duration jitter) {
            this.jitter = nonNegative(jitter, "jitter");
            return this;
        }

        /** How long a location keeps answering "not found" after it answered so once; zero by default. */
        public Builder negativeCacheTtl(Duration ttl) {
            this.negativeCacheTtl = nonNegative(ttl, "negative cache time");
            return this;
        }

        /**
         * Whether a write is visible at once at the location that made it, as Cloudflare usually
         * does; off by default, so tests face the worst case of not even seeing their own writes.
         */
        public Builder writerSeesOwnWrites(boolean on) {
            this.writerSeesOwnWrites = on;
            return this;
        }

        /**
         * Whether a second write of a key within one second is answered 429, as KV does. On by
         * default; tests that write the same key in quick succession on a frozen clock turn it off.
         */
        public Builder writeRateLimit(boolean on) {
            this.writeRateLimit = on;
            return this;
        }

        /**
         * The account's API rate limit: {@code requests} per {@code window}, then every request is
         * answered 429 for {@code block}. Cloudflare's: 1,200 per 5 minutes, blocked 5 minutes (the
         * default). {@code requests = 0} turns it off, for tests that send thousands of requests.
         */
        public Builder accountRateLimit(int requests, Duration window, Duration block) {
            this.rateLimitRequests = requests;
            this.rateLimitWindow = Objects.requireNonNull(window);
            this.rateLimitBlock = Objects.requireNonNull(block);
            return this;
        }

        /** The Workers KV free tier's daily limits: 100,000 reads, 1,000 writes, deletes and lists. */
        public Builder freeTier() {
            return freeTier(100_000, 1_000, 1_000, 1_000);
        }

        /** Daily limits per operation, reset at 00:00 UTC on the server's clock; then error 10048. */
        public Builder freeTier(long reads, long writes, long deletes, long lists) {
            daily = new EnumMap<>(Counter.class);
            daily.put(Counter.READ, reads);
            daily.put(Counter.WRITE, writes);
            daily.put(Counter.DELETE, deletes);
            daily.put(Counter.LIST, lists);
            return this;
        }

        /** Request handler threads, shared by all locations. */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** Starts the server's default location on an ephemeral loopback port. */
        public LocalKvServer build() {
            if (namespaces.isEmpty()) {
                namespaces.add("fedcba9876543210fedcba9876543210");
            }
            return new LocalKvServer(this);
        }

        private static Duration nonNegative(Duration d, String what) {
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative");
            }
            return d;
        }
    }
}
