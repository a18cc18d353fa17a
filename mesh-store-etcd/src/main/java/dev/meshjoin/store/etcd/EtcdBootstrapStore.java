package dev.meshjoin.store.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Consistency;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.api.store.StoreLimitException;
import dev.meshjoin.api.store.StoreLimits;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A linearizable {@link BootstrapStore} on etcd v3, spoken through etcd's JSON gateway
 * ({@code /v3/kv/range}, {@code /v3/kv/txn}, {@code /v3/lease/grant}) with {@code java.net.http}
 * — no gRPC stack, no extra dependency.
 *
 * <h2>Guarantees</h2>
 * Every conditional write is one etcd transaction: {@link #putIfAbsent} compares the key's
 * {@code create_revision} with 0, {@link #compareAndSet} and {@link #delete} compare its
 * {@code mod_revision} with the expected version. etcd runs them through Raft, so exactly one of
 * any number of concurrent writers wins, on every member of the cluster. An entry's version is its
 * {@code mod_revision}: cluster-wide, strictly increasing, never reused even after a delete, so a
 * stale compare-and-set cannot match a re-created key. Reads are linearizable (etcd's default).
 * Time-to-lives are etcd leases, one per write, expired by the cluster's leader.
 *
 * <h2>Failures</h2>
 * A request that could not connect is tried on the next endpoint. A conditional write whose answer
 * is lost after it was sent is <em>not</em> retried (it may have been applied, and a retry would
 * wrongly report a lost race); it fails with a retryable {@link StoreException} saying so, and the
 * caller re-reads.
 *
 * <pre>{@code
 * BootstrapStore store = EtcdBootstrapStore.builder()
 *         .endpoints(URI.create("http://10.0.0.5:2379"), URI.create("http://10.0.0.6:2379"))
 *         .keyPrefix("meshjoin/prod/")
 *         .build();
 * }</pre>
 */
public final class EtcdBootstrapStore implements BootstrapStore {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdBootstrapStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    private static final int PAGE = 1000;

    private final List<URI> endpoints;
    private final String keyPrefix;
    private final byte[] keyPrefixBytes;
    private final long maxValueBytes;
    private final Duration minTtl;
    private final Duration requestTimeout;
    private final Clock clock;
    private final HttpClient http;
    private final AtomicInteger current = new AtomicInteger();
    private final String name;

    private EtcdBootstrapStore(Builder b) {
        this.endpoints = List.copyOf(b.endpoints);
        this.keyPrefix = b.keyPrefix;
        this.keyPrefixBytes = b.keyPrefix.getBytes(StandardCharsets.UTF_8);
        this.maxValueBytes = b.maxValueBytes;
        this.minTtl = b.minTtl;
        this.requestTimeout = b.requestTimeout;
        this.clock = b.clock;
        this.http = HttpClient.newBuilder().connectTimeout(b.connectTimeout).version(HttpClient.Version.HTTP_1_1).build();
        this.name = "etcd:" + endpoints.get(0).getAuthority() + (endpoints.size() > 1 ? "(+" + (endpoints.size() - 1) + ")" : "")
                + (keyPrefix.isEmpty() ? "" : "/" + keyPrefix);
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
        return Consistency.linearizable();
    }

    @Override
    public long maxValueBytes() {
        return maxValueBytes;
    }

    @Override
    public Duration minTtl() {
        return minTtl;
    }

    @Override
    public Optional<Entry> get(String key) {
        StoreLimits.checkKey(this, "get", key);
        String op = "get " + key;
        ObjectNode req = JSON.createObjectNode().put("key", b64(full(key)));
        JsonNode r = call(op, "/v3/kv/range", req, true);
        JsonNode kvs = r.path("kvs");
        if (!kvs.isArray() || kvs.isEmpty()) {
            return Optional.empty();
        }
        JsonNode kv = kvs.get(0);
        long lease = kv.path("lease").asLong(0);
        Optional<Instant> expires = Optional.empty();
        if (lease != 0) {
            Optional<Instant> left = leaseExpiry(op, lease);
            if (left.isEmpty()) {
                return Optional.empty(); // the lease ran out between the two requests
            }
            expires = left;
        }
        return Optional.of(new Entry(key, unb64(kv.path("value").asText("")), kv.path("mod_revision").asLong(), expires));
    }

    @Override
    public Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
        StoreLimits.checkWrite(this, "putIfAbsent", key, value, ttl);
        String op = "putIfAbsent " + key;
        ObjectNode compare = JSON.createObjectNode()
                .put("key", b64(full(key))).put("target", "CREATE").put("result", "EQUAL").put("create_revision", "0");
        return conditionalPut(op, key, value, ttl, compare);
    }

    @Override
    public Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value, Duration ttl) {
        StoreLimits.checkWrite(this, "compareAndSet", key, value, ttl);
        String op = "compareAndSet " + key;
        if (expectedVersion < 1) {
            return Optional.empty();
        }
        ObjectNode compare = JSON.createObjectNode().put("key", b64(full(key))).put("target", "MOD")
                .put("result", "EQUAL").put("mod_revision", Long.toString(expectedVersion));
        return conditionalPut(op, key, value, ttl, compare);
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        StoreLimits.checkKey(this, "delete", key);
        String op = "delete " + key;
        if (expectedVersion < 1) {
            return false;
        }
        ObjectNode txn = JSON.createObjectNode();
        txn.putArray("compare").addObject().put("key", b64(full(key))).put("target", "MOD")
                .put("result", "EQUAL").put("mod_revision", Long.toString(expectedVersion));
        txn.putArray("success").addObject().putObject("request_delete_range").put("key", b64(full(key)));
        JsonNode r = call(op, "/v3/kv/txn", txn, false);
        return r.path("succeeded").asBoolean(false);
    }

    @Override
    public List<KeyVersion> list(String prefix) {
        StoreLimits.checkPrefix(this, "list", prefix);
        String op = "list " + prefix;
        byte[] from = full(prefix);
        byte[] end = prefixEnd(from);
        List<KeyVersion> out = new ArrayList<>();
        Map<Long, Optional<Instant>> leases = new HashMap<>();
        long revision = 0;
        // etcd has no empty key: "\0" to "\0" is its spelling of "every key".
        byte[] cursor = from.length == 0 ? new byte[] {0} : from;
        while (true) {
            ObjectNode req = JSON.createObjectNode()
                    .put("key", b64(cursor)).put("range_end", b64(end))
                    .put("limit", Integer.toString(PAGE)).put("keys_only", true);
            if (revision != 0) {
                req.put("revision", Long.toString(revision)); // every page from the same snapshot
            }
            JsonNode r = call(op, "/v3/kv/range", req, true);
            if (revision == 0) {
                revision = r.path("header").path("revision").asLong();
            }
            byte[] last = null;
            for (JsonNode kv : r.path("kvs")) {
                byte[] k = unb64(kv.path("key").asText());
                last = k;
                long lease = kv.path("lease").asLong(0);
                Optional<Instant> exp = Optional.empty();
                if (lease != 0) {
                    exp = leases.computeIfAbsent(lease, l -> leaseExpiry(op, l));
                    if (exp.isEmpty()) {
                        continue; // expired since the snapshot
                    }
                }
                String userKey = new String(k, keyPrefixBytes.length, k.length - keyPrefixBytes.length, StandardCharsets.UTF_8);
                out.add(new KeyVersion(userKey, kv.path("mod_revision").asLong(), exp));
            }
            if (!r.path("more").asBoolean(false) || last == null) {
                return out;
            }
            cursor = Arrays.copyOf(last, last.length + 1); // the smallest key after the last one
        }
    }

    /** The client URLs, in the order tried. */
    public List<URI> endpoints() {
        return endpoints;
    }

    /** The prefix put before every key in etcd; empty by default. */
    public String keyPrefix() {
        return keyPrefix;
    }

    @Override
    public String toString() {
        return "EtcdBootstrapStore[" + endpoints + (keyPrefix.isEmpty() ? "" : ", prefix " + keyPrefix) + "]";
    }

    // ------------------------------------------------------------------ internals

    private Optional<Entry> conditionalPut(String op, String key, byte[] value, Duration ttl, ObjectNode compare) {
        long lease = 0;
        Instant expiresAt = null;
        if (ttl != null) {
            long seconds = ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
            Instant before = clock.instant();
            JsonNode g = call(op, "/v3/lease/grant", JSON.createObjectNode().put("TTL", Long.toString(seconds)), true);
            lease = g.path("ID").asLong(0);
            if (lease == 0) {
                throw new StoreException(name, op, "etcd granted no lease: " + g.path("error").asText(g.toString()), true);
            }
            expiresAt = before.plusSeconds(g.path("TTL").asLong(seconds));
        }
        ObjectNode txn = JSON.createObjectNode();
        txn.putArray("compare").add(compare);
        ObjectNode put = txn.putArray("success").addObject().putObject("request_put")
                .put("key", b64(full(key))).put("value", b64(value));
        if (lease != 0) {
            put.put("lease", Long.toString(lease));
        }
        JsonNode r;
        try {
            r = call(op, "/v3/kv/txn", txn, false);
        } catch (StoreException e) {
            revokeQuietly(lease);
            throw e;
        }
        if (!r.path("succeeded").asBoolean(false)) {
            revokeQuietly(lease);
            return Optional.empty();
        }
        // The transaction's revision is the put's mod_revision.
        long version = r.path("header").path("revision").asLong();
        return Optional.of(new Entry(key, value, version, Optional.ofNullable(expiresAt)));
    }

    private Optional<Instant> leaseExpiry(String op, long lease) {
        Instant now = clock.instant();
        JsonNode r = call(op, "/v3/lease/timetolive", JSON.createObjectNode().put("ID", Long.toString(lease)), true);
        // The gateway leaves out zero fields: no TTL means 0 s left (expiring now); -1 means gone.
        long ttl = r.path("TTL").asLong(0);
        return ttl < 0 ? Optional.empty() : Optional.of(now.plusSeconds(ttl));
    }

    private void revokeQuietly(long lease) {
        if (lease == 0) {
            return;
        }
        try {
            call("revoke lease", "/v3/lease/revoke", JSON.createObjectNode().put("ID", Long.toString(lease)), true);
        } catch (StoreException e) {
            // The lease expires by itself; nothing is attached to it.
            LOG.debug("{}: could not revoke unused lease {}: {}", name, lease, e.getMessage());
        }
    }

    /**
     * Posts to the gateway. Connection failures move to the next endpoint; other network failures
     * are retried only for idempotent requests.
     */
    private JsonNode call(String op, String path, ObjectNode body, boolean idempotent) {
        byte[] payload = body.toString().getBytes(StandardCharsets.UTF_8);
        int attempts = endpoints.size() * 2;
        IOException last = null;
        for (int i = 0; i < attempts; i++) {
            int idx = Math.floorMod(current.get(), endpoints.size());
            URI endpoint = endpoints.get(idx);
            HttpRequest req = HttpRequest.newBuilder(endpoint.resolve(path)).timeout(requestTimeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build();
            try {
                HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                return answer(op, endpoint, r);
            } catch (ConnectException | HttpConnectTimeoutException e) {
                last = e; // nothing was sent: safe to try elsewhere
                current.compareAndSet(idx, idx + 1);
                LOG.debug("{}: cannot connect to {}: {}", name, endpoint, e.toString());
            } catch (IOException e) {
                if (!idempotent) {
                    throw new StoreException(name, op, "the connection to " + endpoint + " failed after the request "
                            + "was sent (" + e + "); the write may or may not have happened: read the key again", true, e);
                }
                last = e;
                current.compareAndSet(idx, idx + 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException(name, op, "interrupted", true, e);
            }
        }
        throw new StoreException(name, op, "no etcd endpoint answered (" + endpoints + "); last error: " + last
                + ". Check that etcd runs and its client URL is reachable", true, last);
    }

    private JsonNode answer(String op, URI endpoint, HttpResponse<byte[]> r) {
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new StoreException(name, op, endpoint + " answered HTTP " + r.statusCode()
                    + " with something that is not JSON; is it etcd's client URL?", false, e);
        }
        if (r.statusCode() == 200 && body != null && !body.has("error")) {
            return body;
        }
        String message = body == null ? "" : body.path("message").asText(body.path("error").asText(""));
        int code = body == null ? 0 : body.path("code").asInt(0);
        if (message.contains("request is too large") || message.contains("message larger than max")) {
            throw new StoreLimitException(name, op, "etcd refused the request as too large (" + message
                    + "); raise etcd's --max-request-bytes or lower maxValueBytes");
        }
        if (r.statusCode() == 404) {
            throw new StoreException(name, op, endpoint + " has no etcd v3 JSON gateway (HTTP 404 on /v3/); "
                    + "etcd 3.4 or later is required", false);
        }
        // gRPC codes: 14 unavailable, 4 deadline exceeded, 8 resource exhausted — worth retrying later.
        boolean retryable = code == 14 || code == 4 || code == 8 || r.statusCode() >= 500;
        throw new StoreException(name, op, "etcd answered HTTP " + r.statusCode() + ": " + message
                + (code != 0 ? " (gRPC code " + code + ")" : ""), retryable);
    }

    private byte[] full(String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(keyPrefixBytes, keyPrefixBytes.length + k.length);
        System.arraycopy(k, 0, out, keyPrefixBytes.length, k.length);
        return out;
    }

    /** The range end covering every key that starts with {@code prefix} (etcd's prefix rule). */
    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return new byte[] {0}; // no upper bound: every key from the start
    }

    private static String b64(byte[] b) {
        return B64.encodeToString(b);
    }

    private static byte[] unb64(String s) {
        return B64D.decode(s);
    }

    /** Settings of an {@link EtcdBootstrapStore}. */
    public static final class Builder {
        private final List<URI> endpoints = new ArrayList<>();
        private String keyPrefix = "";
        private long maxValueBytes = 1024 * 1024;
        private Duration minTtl = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(3);
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** etcd client URLs, such as {@code http://127.0.0.1:2379}; tried in order on connection failure. */
        public Builder endpoints(URI... urls) {
            for (URI u : urls) {
                endpoint(u);
            }
            return this;
        }

        public Builder endpoint(URI url) {
            Objects.requireNonNull(url, "endpoint");
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
                throw new ConfigurationException("an etcd endpoint is an http(s) client URL such as "
                        + "http://127.0.0.1:2379, got " + url);
            }
            endpoints.add(URI.create(url.getScheme() + "://" + url.getRawAuthority() + "/"));
            return this;
        }

        /** A prefix put before every key, so that several meshes (or other users) share one etcd. */
        public Builder keyPrefix(String prefix) {
            this.keyPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /**
         * The largest value accepted; 1 MiB by default, under etcd's default request limit of
         * 1.5 MiB ({@code --max-request-bytes}).
         */
        public Builder maxValueBytes(long bytes) {
            if (bytes < 1) {
                throw new ConfigurationException("maxValueBytes must be positive, got " + bytes);
            }
            this.maxValueBytes = bytes;
            return this;
        }

        /** The shortest time-to-live accepted; 5 s by default, above etcd's own minimum lease. */
        public Builder minTtl(Duration ttl) {
            if (ttl.isNegative() || ttl.isZero()) {
                throw new ConfigurationException("minTtl must be positive, got " + ttl);
            }
            this.minTtl = ttl;
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        public EtcdBootstrapStore build() {
            if (endpoints.isEmpty()) {
                throw new ConfigurationException("the etcd store needs at least one endpoint, such as http://127.0.0.1:2379");
            }
            return new EtcdBootstrapStore(this);
        }
    }
}
