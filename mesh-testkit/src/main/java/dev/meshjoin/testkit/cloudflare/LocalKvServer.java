package dev.meshjoin.testkit.cloudflare;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
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
 * {@code expiration_ttl} of at least 60 seconds, one write per second per key (answered with 429),
 * listing in key order with cursor paging (limit 10..1000, default 1000).
 *
 * <p>On top of that it simulates what makes KV hard to use correctly: a write becomes visible to
 * reads and listings only after {@link Builder#propagationDelay(Duration)} (the server models the
 * worst case, where not even the writer sees its own write early), and faults can be injected
 * ({@link #failNext(int)}, {@link #rateLimitNext(int, int)}). Every request is counted by
 * {@link RequestKind} so tests can assert how many operations a join costs.
 *
 * <pre>{@code
 * try (LocalKvServer kv = LocalKvServer.builder().token("t0ken").build()) {
 *     CloudflareKvStore store = CloudflareKvStore.builder()
 *             .baseUrl(kv.baseUrl()).accountId(kv.accountId())
 *             .namespaceId(kv.namespaceId()).apiToken("t0ken").build();
 *     ...
 *     assertThat(kv.requests(RequestKind.PUT)).isEqualTo(2);
 * }
 * }</pre>
 *
 * <p>Times (expiry, propagation, the write rate limit) follow the injectable {@link Clock}; a
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

    // Error codes of the Workers KV v4 API, as listed in Cloudflare's API reference.
    static final int AUTHENTICATION_ERROR = 10000;
    static final int SERVICE_UNAVAILABLE = 10001;
    static final int KEY_NOT_FOUND = 10009;
    static final int NAMESPACE_NOT_FOUND = 10013;
    static final int TOO_MANY_REQUESTS = 10022;
    static final int PAYLOAD_TOO_LARGE = 10024;
    static final int INVALID_LIMIT = 10028;
    static final int KEY_TOO_LONG = 10030;
    static final int INVALID_EXPIRATION = 10033;
    static final int ENDPOINT_NOT_FOUND = 10025;

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle's
        // algorithm and delayed ACKs add ~40 ms to every answer on loopback. Read once, when the
        // server classes load, so it must be set before the first server starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer http;
    private final ExecutorService executor;
    private final String accountId;
    private final Set<String> namespaces;
    private final byte[] token;
    private final Clock clock;
    private final Duration propagationDelay;
    private final boolean writeRateLimit;

    private final Object lock = new Object();
    /** namespace → key → the writes of that key, oldest first (tombstones for deletes). */
    private final Map<String, TreeMap<String, List<Write>>> data = new HashMap<>();
    private final Map<RequestKind, AtomicInteger> counts = new EnumMap<>(RequestKind.class);
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private int failNext;
    private int failStatus = 503;
    private int rateLimitNext;
    private int retryAfterSeconds;

    /** One write of a key: the value (null for a delete), its metadata JSON, expiry and time. */
    private record Write(byte[] value, String metadataJson, Long expiration, Instant at) {
        boolean liveAt(Instant now) {
            return value != null && (expiration == null || now.getEpochSecond() < expiration);
        }
    }

    private LocalKvServer(Builder b) throws IOException {
        this.accountId = b.accountId;
        this.namespaces = new LinkedHashSet<>(b.namespaces);
        this.token = b.token.getBytes(StandardCharsets.UTF_8);
        this.clock = b.clock;
        this.propagationDelay = b.propagationDelay;
        this.writeRateLimit = b.writeRateLimit;
        for (RequestKind k : RequestKind.values()) {
            counts.put(k, new AtomicInteger());
        }
        for (String ns : namespaces) {
            data.put(ns, new TreeMap<>(LocalKvServer::compareUtf8));
        }
        this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newFixedThreadPool(b.threads, r -> {
            Thread t = new Thread(r, "local-kv-server");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        http.createContext("/client/v4/", this::handle);
        http.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The API base URL to give the client, such as {@code http://127.0.0.1:41234/client/v4}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/client/v4");
    }

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

    /** Method and raw path of every request, in arrival order. */
    public List<String> requestLog() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /** Zeroes the request counts and log. */
    public void resetCounts() {
        counts.values().forEach(c -> c.set(0));
        log.clear();
    }

    /** The next {@code n} requests are answered 503 with the service-unavailable error. */
    public void failNext(int n) {
        failNext(n, 503);
    }

    /** The next {@code n} requests are answered with this 5xx status. */
    public void failNext(int n, int status) {
        synchronized (lock) {
            this.failNext = n;
            this.failStatus = status;
        }
    }

    /** The next {@code n} requests are answered 429 with {@code Retry-After: seconds}. */
    public void rateLimitNext(int n, int retryAfterSeconds) {
        synchronized (lock) {
            this.rateLimitNext = n;
            this.retryAfterSeconds = retryAfterSeconds;
        }
    }

    /** The value a reader would see now, or null; for assertions. */
    public byte[] visibleValue(String namespace, String key) {
        synchronized (lock) {
            Write w = visible(namespace, key, clock.instant());
            return w == null ? null : w.value.clone();
        }
    }

    /** The latest value written, visible or not yet; for assertions. */
    public byte[] latestValue(String namespace, String key) {
        synchronized (lock) {
            List<Write> writes = data.get(namespace).get(key);
            if (writes == null || writes.isEmpty()) {
                return null;
            }
            Write last = writes.get(writes.size() - 1);
            return last.liveAt(clock.instant()) ? last.value.clone() : null;
        }
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "LocalKvServer[" + baseUrl() + ", account " + accountId + ", namespaces " + namespaces + "]";
    }

    // ---------------------------------------------------------------- request handling

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String rawPath = ex.getRequestURI().getRawPath();
            log.add(ex.getRequestMethod() + " " + rawPath
                    + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()));
            Response r = route(ex, rawPath);
            if (r.kind != null) {
                counts.get(r.kind).incrementAndGet();
            }
            r.headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            ex.getResponseHeaders().set("Content-Type", r.contentType);
            ex.sendResponseHeaders(r.status, r.body.length == 0 ? -1 : r.body.length);
            if (r.body.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(r.body);
                }
            }
        } catch (RuntimeException e) {
            // A bug in the server must show up in the test, not as a hung client.
            byte[] body = envelopeError(500, 10001, "local server error: " + e).body;
            ex.sendResponseHeaders(500, body.length);
            ex.getResponseBody().write(body);
            throw e;
        }
    }

    private Response route(HttpExchange ex, String rawPath) throws IOException {
        // /client/v4/accounts/{account}/storage/kv/namespaces/{ns}/{values|metadata|keys}[/{key}]
        String[] seg = rawPath.split("/", -1);
        if (seg.length < 10 || !seg[3].equals("accounts") || !seg[5].equals("storage")
                || !seg[6].equals("kv") || !seg[7].equals("namespaces")) {
            drain(ex);
            return envelopeError(404, ENDPOINT_NOT_FOUND, "No route for that URI").refused();
        }
        if (!authorized(ex)) {
            drain(ex);
            return envelopeError(403, AUTHENTICATION_ERROR, "Authentication error").refused();
        }
        if (!seg[4].equals(accountId)) {
            drain(ex);
            return envelopeError(403, AUTHENTICATION_ERROR, "Authentication error").refused();
        }
        String ns = seg[8];
        String resource = seg[9];
        String method = ex.getRequestMethod();
        synchronized (lock) {
            if (failNext > 0) {
                failNext--;
                drain(ex);
                return envelopeError(failStatus, SERVICE_UNAVAILABLE, "Service temporarily unavailable").refused();
            }
            if (rateLimitNext > 0) {
                rateLimitNext--;
                drain(ex);
                Response r = envelopeError(429, TOO_MANY_REQUESTS, "Too many requests").refused();
                r.headers.put("Retry-After", Integer.toString(retryAfterSeconds));
                return r;
            }
        }
        if (!namespaces.contains(ns)) {
            drain(ex);
            return envelopeError(404, NAMESPACE_NOT_FOUND, "namespace not found").refused();
        }
        if (resource.equals("keys") && seg.length == 10 && method.equals("GET")) {
            return list(ns, ex.getRequestURI().getRawQuery());
        }
        if (seg.length != 11 || !(resource.equals("values") || resource.equals("metadata"))) {
            drain(ex);
            return envelopeError(404, ENDPOINT_NOT_FOUND, "No route for that URI").refused();
        }
        String key = decodePathSegment(seg[10]);
        if (key.isEmpty()) {
            drain(ex);
            return envelopeError(400, 10029, "key name is empty").refused();
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            drain(ex);
            return envelopeError(414, KEY_TOO_LONG, "key name too long: the maximum is " + MAX_KEY_BYTES + " bytes").refused();
        }
        if (resource.equals("metadata")) {
            return method.equals("GET") ? metadata(ns, key) : methodNotAllowed(ex);
        }
        return switch (method) {
            case "GET" -> getValue(ns, key);
            case "PUT" -> put(ex, ns, key);
            case "DELETE" -> delete(ns, key);
            default -> methodNotAllowed(ex);
        };
    }

    private Response methodNotAllowed(HttpExchange ex) throws IOException {
        drain(ex);
        return envelopeError(405, ENDPOINT_NOT_FOUND, "method not allowed").refused();
    }

    private boolean authorized(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            return false;
        }
        byte[] presented = auth.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(presented, token);
    }

    private Response getValue(String ns, String key) {
        synchronized (lock) {
            Write w = visible(ns, key, clock.instant());
            if (w == null) {
                return envelopeError(404, KEY_NOT_FOUND, "get: 'key not found'").kind(RequestKind.GET_VALUE);
            }
            Response r = new Response(200, w.value.clone(), "application/octet-stream").kind(RequestKind.GET_VALUE);
            if (w.expiration != null) {
                r.headers.put("Expiration", Long.toString(w.expiration));
            }
            return r;
        }
    }

    private Response metadata(String ns, String key) {
        synchronized (lock) {
            Write w = visible(ns, key, clock.instant());
            if (w == null) {
                return envelopeError(404, KEY_NOT_FOUND, "metadata: 'key not found'").kind(RequestKind.GET_METADATA);
            }
            return envelope(w.metadataJson == null ? "null" : w.metadataJson).kind(RequestKind.GET_METADATA);
        }
    }

    private Response put(HttpExchange ex, String ns, String key) throws IOException {
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        byte[] body = readLimited(ex.getRequestBody(), MAX_VALUE_BYTES + 64 * 1024);
        if (body == null) {
            return envelopeError(413, PAYLOAD_TOO_LARGE, "value too large: the maximum is 25 MiB").kind(RequestKind.PUT);
        }
        byte[] value;
        String metadata = null;
        String contentType = ex.getRequestHeaders().getFirst("Content-Type");
        if (MultipartFormData.boundary(contentType).isPresent()) {
            Map<String, byte[]> fields;
            try {
                fields = MultipartFormData.parse(contentType, body);
            } catch (IllegalArgumentException e) {
                return envelopeError(400, 10012, "malformed multipart body: " + e.getMessage()).kind(RequestKind.PUT);
            }
            value = fields.get("value");
            if (value == null) {
                return envelopeError(400, 10012, "the multipart body has no 'value' field").kind(RequestKind.PUT);
            }
            byte[] md = fields.get("metadata");
            if (md != null) {
                if (md.length > MAX_METADATA_BYTES) {
                    return envelopeError(413, PAYLOAD_TOO_LARGE, "metadata too large: the maximum is "
                            + MAX_METADATA_BYTES + " bytes").kind(RequestKind.PUT);
                }
                metadata = new String(md, StandardCharsets.UTF_8);
                if (!Json.isValid(metadata)) {
                    return envelopeError(400, 10012, "metadata is not valid JSON").kind(RequestKind.PUT);
                }
            }
        } else {
            value = body;
        }
        if (value.length > MAX_VALUE_BYTES) {
            return envelopeError(413, PAYLOAD_TOO_LARGE, "value too large: the maximum is 25 MiB").kind(RequestKind.PUT);
        }
        Instant now = clock.instant();
        Long expiration = null;
        try {
            if (query.containsKey("expiration_ttl")) {
                long ttl = Long.parseLong(query.get("expiration_ttl"));
                if (ttl < MIN_EXPIRATION_TTL_SECONDS) {
                    return envelopeError(400, INVALID_EXPIRATION, "Invalid expiration_ttl of " + ttl
                            + ". Expiration TTL must be at least 60.").kind(RequestKind.PUT);
                }
                expiration = now.getEpochSecond() + ttl;
            } else if (query.containsKey("expiration")) {
                long at = Long.parseLong(query.get("expiration"));
                if (at < now.getEpochSecond() + MIN_EXPIRATION_TTL_SECONDS) {
                    return envelopeError(400, INVALID_EXPIRATION, "Invalid expiration of " + at
                            + ". Expiration times must be at least 60 seconds in the future.").kind(RequestKind.PUT);
                }
                expiration = at;
            }
        } catch (NumberFormatException e) {
            return envelopeError(400, INVALID_EXPIRATION, "expiration is not an integer").kind(RequestKind.PUT);
        }
        synchronized (lock) {
            Response limited = rateLimited(ns, key, now, RequestKind.PUT);
            if (limited != null) {
                return limited;
            }
            record(ns, key, new Write(value, metadata, expiration, now));
        }
        return envelope("{}").kind(RequestKind.PUT);
    }

    private Response delete(String ns, String key) {
        Instant now = clock.instant();
        synchronized (lock) {
            Response limited = rateLimited(ns, key, now, RequestKind.DELETE);
            if (limited != null) {
                return limited;
            }
            record(ns, key, new Write(null, null, null, now));
        }
        return envelope("{}").kind(RequestKind.DELETE);
    }

    private Response rateLimited(String ns, String key, Instant now, RequestKind kind) {
        if (!writeRateLimit) {
            return null;
        }
        List<Write> writes = data.get(ns).get(key);
        if (writes != null && !writes.isEmpty()) {
            Instant last = writes.get(writes.size() - 1).at;
            if (now.isBefore(last.plusSeconds(1))) {
                Response r = envelopeError(429, TOO_MANY_REQUESTS,
                        "KV PUT failed: 429 Too Many Requests (one write per second per key)").kind(kind);
                r.headers.put("Retry-After", "1");
                return r;
            }
        }
        return null;
    }

    private void record(String ns, String key, Write w) {
        List<Write> writes = data.get(ns).computeIfAbsent(key, k -> new ArrayList<>());
        writes.add(w);
        // Keep only what a reader may still see: the newest visible write and everything newer.
        Instant horizon = w.at.minus(propagationDelay);
        int lastVisible = -1;
        for (int i = 0; i < writes.size(); i++) {
            if (!writes.get(i).at.isAfter(horizon)) {
                lastVisible = i;
            }
        }
        if (lastVisible > 0) {
            writes.subList(0, lastVisible).clear();
        }
    }

    private Write visible(String ns, String key, Instant now) {
        List<Write> writes = data.get(ns).get(key);
        if (writes == null) {
            return null;
        }
        Write seen = null;
        for (Write w : writes) {
            if (!w.at.plus(propagationDelay).isAfter(now)) {
                seen = w;
            }
        }
        return seen != null && seen.liveAt(now) ? seen : null;
    }

    private Response list(String ns, String rawQuery) {
        Map<String, String> q = query(rawQuery);
        String prefix = q.getOrDefault("prefix", "");
        int limit = 1000;
        if (q.containsKey("limit")) {
            try {
                limit = Integer.parseInt(q.get("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 10 || limit > 1000) {
                return envelopeError(400, INVALID_LIMIT, "Invalid key limit: must be between 10 and 1000")
                        .kind(RequestKind.LIST);
            }
        }
        String after = null;
        String cursor = q.get("cursor");
        if (cursor != null && !cursor.isEmpty()) {
            try {
                after = new String(java.util.Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return envelopeError(400, 10029, "Invalid cursor").kind(RequestKind.LIST);
            }
        }
        Instant now = clock.instant();
        StringBuilder keys = new StringBuilder("[");
        int count = 0;
        String last = null;
        boolean more = false;
        synchronized (lock) {
            TreeMap<String, List<Write>> all = data.get(ns);
            Map<String, List<Write>> tail = after == null ? all.tailMap(prefix, true) : all.tailMap(after, false);
            for (String k : tail.keySet()) {
                if (!k.startsWith(prefix)) {
                    break; // keys sharing a prefix are contiguous in byte order
                }
                Write w = visible(ns, k, now);
                if (w == null) {
                    continue;
                }
                if (count == limit) {
                    more = true;
                    break;
                }
                if (count > 0) {
                    keys.append(',');
                }
                keys.append("{\"name\":").append(Json.quote(k));
                if (w.expiration != null) {
                    keys.append(",\"expiration\":").append(w.expiration);
                }
                if (w.metadataJson != null) {
                    keys.append(",\"metadata\":").append(w.metadataJson);
                }
                keys.append('}');
                count++;
                last = k;
            }
        }
        keys.append(']');
        String next = more ? java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(last.getBytes(StandardCharsets.UTF_8)) : "";
        String body = "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":" + keys
                + ",\"result_info\":{\"count\":" + count + ",\"cursor\":" + Json.quote(next) + "}}";
        return new Response(200, body.getBytes(StandardCharsets.UTF_8), "application/json").kind(RequestKind.LIST);
    }

    // ---------------------------------------------------------------- helpers

    private static final class Response {
        final int status;
        final byte[] body;
        final String contentType;
        final Map<String, String> headers = new HashMap<>();
        RequestKind kind;

        Response(int status, byte[] body, String contentType) {
            this.status = status;
            this.body = body;
            this.contentType = contentType;
        }

        Response kind(RequestKind k) {
            this.kind = k;
            return this;
        }

        Response refused() {
            return kind(RequestKind.REFUSED);
        }
    }

    private static Response envelope(String resultJson) {
        String body = "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":" + resultJson + "}";
        return new Response(200, body.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    private static Response envelopeError(int status, int code, String message) {
        String body = "{\"success\":false,\"errors\":[{\"code\":" + code + ",\"message\":" + Json.quote(message)
                + "}],\"messages\":[],\"result\":null}";
        return new Response(status, body.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    private static void drain(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    /** The body, or null when it is longer than {@code max} (the rest is discarded). */
    private static byte[] readLimited(InputStream in, long max) throws IOException {
        try (in) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > max) {
                    in.transferTo(OutputStream.nullOutputStream());
                    return null;
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Percent-decoding only: in a path, '+' is a plus sign, not a space. */
    static String decodePathSegment(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** KV lists keys in the order of their UTF-8 bytes. */
    static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** Settings of a {@link LocalKvServer}. */
    public static final class Builder {
        private String accountId = "0123456789abcdef0123456789abcdef";
        private final List<String> namespaces = new ArrayList<>();
        private String token = "local-test-token";
        private Clock clock = Clock.systemUTC();
        private Duration propagationDelay = Duration.ZERO;
        private boolean writeRateLimit = true;
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
            if (delay.isNegative()) {
                throw new IllegalArgumentException("propagation delay must not be negative");
            }
            this.propagationDelay = delay;
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

        /** Request handler threads. */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** Starts the server on an ephemeral loopback port. */
        public LocalKvServer build() {
            if (namespaces.isEmpty()) {
                namespaces.add("fedcba9876543210fedcba9876543210");
            }
            try {
                return new LocalKvServer(this);
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the local KV server on loopback: " + e.getMessage(), e);
            }
        }
    }
}
