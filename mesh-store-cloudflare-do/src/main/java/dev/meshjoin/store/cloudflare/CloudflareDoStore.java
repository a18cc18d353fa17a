package dev.meshjoin.store.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.retry.RetryPolicy;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Consistency;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.api.store.StoreLimitException;
import dev.meshjoin.api.store.StoreLimits;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A linearizable {@link BootstrapStore} on Cloudflare: the store Worker shipped in this module's
 * {@code worker/} folder keeps each network's keys in one SQLite-backed Durable Object, and this
 * class speaks its JSON API with {@code java.net.http}.
 *
 * <h2>Guarantees</h2>
 * Cloudflare runs one instance of a Durable Object at a time and hands it one request after
 * another; the object checks and writes each conditional write in one SQLite transaction. So
 * exactly one of any number of concurrent writers wins, every read sees every write that returned
 * before it, and versions (from one growing counter per object) are never reused for a key, even
 * after a delete. Entries with a time-to-live are never returned after it. The keys
 * {@code mesh/<network>/…} of a network live in the object named after the network; other keys in
 * the object {@code default}, so a listing must stay inside one network ({@code list("mesh/")} is
 * refused).
 *
 * <h2>Retries</h2>
 * The store retries by itself ({@link #retriesItself()}): outages, 5xx answers, 429 with
 * {@code Retry-After} and lost connections are retried under a {@link RetryPolicy}, never past
 * the caller's {@link dev.meshjoin.api.retry.Deadline}. It can, safely, because every conditional
 * write carries a random {@code writeId} kept across its retries: the object remembers the
 * outcome of each write it applied by that id for ten minutes and answers a re-sent one with it.
 * A write whose answer was lost is therefore never applied twice and never reported as a conflict
 * with itself; the object decides, atomically, instead of the client reading back and guessing.
 *
 * <pre>{@code
 * BootstrapStore store = CloudflareDoStore.builder()
 *         .endpoint(URI.create("https://meshjoin-store.example.workers.dev"))
 *         .token(System.getenv("MESH_STORE_TOKEN").toCharArray())
 *         .build();
 * }</pre>
 */
public final class CloudflareDoStore implements BootstrapStore {
    /** The environment variable holding the bearer token (the Worker's secret of the same name). */
    public static final String ENV_TOKEN = "MESH_STORE_TOKEN";
    /** The environment variable naming a file that holds the token. */
    public static final String ENV_TOKEN_FILE = "MESH_STORE_TOKEN_FILE";
    /** The largest value the Worker accepts (Durable Object SQLite rows hold at most 2 MB). */
    public static final long MAX_VALUE_BYTES = 1024 * 1024;
    private static final int PAGE = 1000;
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    private static final Base64.Encoder WRITE_ID = Base64.getUrlEncoder().withoutPadding();

    private final String name;
    private final ObjectRouting routing;
    private final WorkerClient client;
    private final SecureRandom random = new SecureRandom();

    private CloudflareDoStore(Builder b) {
        this.name = "cloudflare-do:" + b.endpoint + (b.objectPrefix.isEmpty() ? "" : " (objects " + b.objectPrefix + "*)");
        this.routing = new ObjectRouting(b.objectPrefix);
        this.client = new WorkerClient(name, b.endpoint, b.token, b.connectTimeout, b.requestTimeout, b.retry);
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
        return MAX_VALUE_BYTES;
    }

    @Override
    public Duration minTtl() {
        return Duration.ofSeconds(1);
    }

    /** True: see the class comment on retries. */
    @Override
    public boolean retriesItself() {
        return true;
    }

    @Override
    public Optional<Entry> get(String key) {
        StoreLimits.checkKey(this, "get", key);
        JsonNode r = client.call("get " + key, routing.objectFor(key), "get", body().put("key", key));
        JsonNode e = r.path("entry");
        if (e.isNull() || e.isMissingNode()) {
            return Optional.empty();
        }
        return Optional.of(new Entry(key, B64D.decode(e.path("value").asText("")), e.path("version").asLong(), expiry(e)));
    }

    @Override
    public Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
        StoreLimits.checkWrite(this, "putIfAbsent", key, value, ttl);
        checkMaxTtl("putIfAbsent", key, ttl);
        ObjectNode req = write(key).put("value", B64.encodeToString(value));
        ttl(req, ttl);
        return written(key, value, client.call("putIfAbsent " + key, routing.objectFor(key), "put-if-absent", req));
    }

    @Override
    public Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value, Duration ttl) {
        StoreLimits.checkWrite(this, "compareAndSet", key, value, ttl);
        checkMaxTtl("compareAndSet", key, ttl);
        if (expectedVersion < 1) {
            return Optional.empty();
        }
        ObjectNode req = write(key).put("expectedVersion", expectedVersion).put("value", B64.encodeToString(value));
        ttl(req, ttl);
        return written(key, value, client.call("compareAndSet " + key, routing.objectFor(key), "compare-and-set", req));
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        StoreLimits.checkKey(this, "delete", key);
        if (expectedVersion < 1) {
            return false;
        }
        ObjectNode req = write(key).put("expectedVersion", expectedVersion);
        return client.call("delete " + key, routing.objectFor(key), "delete", req).path("deleted").asBoolean(false);
    }

    @Override
    public List<KeyVersion> list(String prefix) {
        StoreLimits.checkPrefix(this, "list", prefix);
        String object = routing.objectForPrefix(prefix).orElseThrow(() -> new StoreLimitException(name, "list " + prefix,
                "the prefix '" + prefix + "' spans several networks, each in its own Durable Object; list under "
                        + "mesh/<network>/ (or a prefix outside mesh/)"));
        List<KeyVersion> out = new ArrayList<>();
        String after = null;
        while (true) {
            ObjectNode req = body().put("prefix", prefix).put("limit", PAGE);
            if (after != null) {
                req.put("after", after);
            }
            JsonNode r = client.call("list " + prefix, object, "list", req);
            for (JsonNode k : r.path("keys")) {
                out.add(new KeyVersion(k.path("key").asText(), k.path("version").asLong(), expiry(k)));
            }
            JsonNode cursor = r.path("cursor");
            if (cursor.isNull() || cursor.isMissingNode() || !r.path("keys").isArray() || r.path("keys").isEmpty()) {
                return out;
            }
            after = cursor.asText();
        }
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "CloudflareDoStore[" + name + "]";
    }

    // ------------------------------------------------------------------ internals

    private static ObjectNode body() {
        return WorkerClient.JSON.createObjectNode();
    }

    /** A write request with a fresh writeId, which every retry of this write repeats. */
    private ObjectNode write(String key) {
        byte[] id = new byte[18];
        random.nextBytes(id);
        return body().put("key", key).put("writeId", WRITE_ID.encodeToString(id));
    }

    private void checkMaxTtl(String operation, String key, Duration ttl) {
        if (ttl != null && ttl.compareTo(Duration.ofDays(3660)) > 0) {
            throw new StoreLimitException(name, operation + " " + key, "time-to-live " + ttl
                    + " is longer than this store's maximum of 3660 days; write without one for no expiry");
        }
    }

    private static void ttl(ObjectNode req, Duration ttl) {
        if (ttl != null) {
            // Whole milliseconds, rounded up so that an entry never expires before it was asked to.
            long ms = ttl.toMillis() + (ttl.toNanosPart() % 1_000_000 > 0 ? 1 : 0);
            req.put("ttlMs", ms);
        }
    }

    private static Optional<Entry> written(String key, byte[] value, JsonNode r) {
        JsonNode e = r.path("entry");
        if (e.isNull() || e.isMissingNode()) {
            return Optional.empty();
        }
        return Optional.of(new Entry(key, value, e.path("version").asLong(), expiry(e)));
    }

    private static Optional<Instant> expiry(JsonNode e) {
        JsonNode at = e.path("expiresAt");
        return at.isNumber() ? Optional.of(Instant.ofEpochMilli(at.asLong())) : Optional.empty();
    }

    /** Settings of a {@link CloudflareDoStore}. */
    public static final class Builder {
        private URI endpoint;
        private char[] token;
        private String objectPrefix = "";
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(15);
        private RetryPolicy retry = RetryPolicy.defaultPolicy();

        private Builder() {
        }

        /**
         * The Worker's URL, such as {@code https://meshjoin-store.example.workers.dev} or, for
         * {@code wrangler dev}, {@code http://127.0.0.1:8787}; a path is the route it is served
         * under. Plain http is accepted only to a loopback address, so the token never crosses a
         * network in the clear.
         */
        public Builder endpoint(URI url) {
            Objects.requireNonNull(url, "endpoint");
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http") || url.getHost() == null) {
                throw new ConfigurationException("the store Worker's URL must be https://HOST[/PATH], got " + url);
            }
            if (url.getRawUserInfo() != null || url.getRawQuery() != null || url.getRawFragment() != null) {
                throw new ConfigurationException("the store Worker's URL takes no user, query or fragment; put the token in "
                        + ENV_TOKEN + ", got " + url);
            }
            if (scheme.equals("http") && !isLoopback(url.getHost())) {
                throw new ConfigurationException("plain http is allowed only to loopback (127.0.0.1, ::1, localhost), where "
                        + "wrangler dev serves; use https://" + url.getRawAuthority() + " so the token is not sent in the clear");
            }
            String path = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("/+$", "");
            this.endpoint = URI.create(scheme + "://" + url.getRawAuthority() + path);
            return this;
        }

        /** The bearer token, the Worker's {@code MESH_STORE_TOKEN} secret; copied. */
        public Builder token(char[] token) {
            if (token == null || token.length == 0) {
                throw new ConfigurationException("the store token is empty; set " + ENV_TOKEN + " (or " + ENV_TOKEN_FILE
                        + ") to the value given to 'wrangler secret put " + ENV_TOKEN + "'");
            }
            this.token = token.clone();
            return this;
        }

        /**
         * A prefix put before every object name, so that several meshes (or test runs) with the same
         * network names share one Worker without sharing keys. Empty by default.
         */
        public Builder objectPrefix(String prefix) {
            if (!prefix.matches("[A-Za-z0-9._-]{0,27}")) {
                throw new ConfigurationException("the object prefix must be at most 27 of A-Z, a-z, 0-9, '.', '_' and '-', got '"
                        + prefix + "'");
            }
            this.objectPrefix = prefix;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** How long one request may take; 15 s by default, and never past the caller's deadline. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** How failed requests are retried; {@link RetryPolicy#defaultPolicy()} by default. */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy);
            return this;
        }

        public CloudflareDoStore build() {
            if (endpoint == null) {
                throw new ConfigurationException("the Cloudflare Durable Object store needs the Worker's URL, such as "
                        + "https://meshjoin-store.example.workers.dev");
            }
            if (token == null) {
                throw new ConfigurationException("the Cloudflare Durable Object store needs its token: set " + ENV_TOKEN
                        + " (or " + ENV_TOKEN_FILE + ")");
            }
            return new CloudflareDoStore(this);
        }

        static boolean isLoopback(String host) {
            String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            if (h.equalsIgnoreCase("localhost")) {
                return true;
            }
            // Only literals: a name is never resolved here, so DNS cannot turn "http" into a remote hop.
            if (!h.matches("[0-9.]+") && !h.contains(":")) {
                return false;
            }
            try {
                return InetAddress.getByName(h).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
    }
}
