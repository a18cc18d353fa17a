package dev.meshjoin.kv.cloudflare;

import dev.meshjoin.api.retry.Deadline;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.api.store.StoreLimitException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import com.fasterxml.jackson.databind.JsonNode;
import dev.meshjoin.api.store.KeyVersion;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Sends single requests to the Workers KV REST API and turns their answers into either a
 * {@link KvAnswer} the store acts on, a {@link KvTransientException} its retry loop retries, or a
 * {@link StoreException} with a message that says what to do. It never retries by itself.
 *
 * <p>It also keeps the two waits Cloudflare imposes: after a 429 from the account's API rate limit
 * (1,200 requests per 5 minutes per token, then every call blocked for 5 minutes) no request of this
 * store is sent until {@code Retry-After} has passed; and a key this store wrote less than a second
 * ago is written again only once the second is over, because KV takes one write per second per key.
 * Both waits end at the caller's {@link Deadline}: a wait that would outlast it fails at once.
 */
final class KvTransport {
    /** What an operation costs on the free tier; names the counter in the 10048 message. */
    enum Op {
        READ("reads"), WRITE("writes"), DELETE("deletes"), LIST("lists");

        final String counter;

        Op(String counter) {
            this.counter = counter;
        }
    }

    /** Cloudflare's documented block after the account's rate limit: five minutes. */
    static final Duration ACCOUNT_BLOCK = Duration.ofMinutes(5);
    private static final Duration ONE_WRITE_PER_KEY = Duration.ofSeconds(1);

    private final String name;
    private final URI baseUrl;
    private final String accountId;
    private final String namespaceId;
    private final String token;
    private final String tokenSource;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final Duration maxRetryAfter;
    private final CloudflareKvStore.Sleeper sleeper;
    private final Clock clock;
    private volatile long blockedUntilNanos = System.nanoTime();
    private final ConcurrentMap<String, Long> lastWriteNanos = new ConcurrentHashMap<>();

    KvTransport(String name, URI baseUrl, String accountId, String namespaceId, String token, String tokenSource,
            HttpClient http, Duration requestTimeout, Duration maxRetryAfter, CloudflareKvStore.Sleeper sleeper,
            Clock clock) {
        this.clock = clock;
        this.name = name;
        this.baseUrl = baseUrl;
        this.accountId = accountId;
        this.namespaceId = namespaceId;
        this.token = token;
        this.tokenSource = tokenSource;
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.maxRetryAfter = maxRetryAfter;
        this.sleeper = sleeper;
    }

    URI namespaceUri(String rest) {
        return URI.create(baseUrl + "/accounts/" + encode(accountId) + "/storage/kv/namespaces/" + encode(namespaceId)
                + rest);
    }

    URI valueUri(String key) {
        return namespaceUri("/values/" + encode(key));
    }

    URI metadataUri(String key) {
        return namespaceUri("/metadata/" + encode(key));
    }

    /** Percent-encodes everything but unreserved characters; KV takes the key as one path segment. */
    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A");
    }

    HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token);
    }

    /**
     * One exchange. Returns answers of kind OK, KEY_NOT_FOUND, KEY_WRITE_LIMIT and (for the caller
     * to report) FATAL; throws for the others.
     */
    KvAnswer exchange(String op, Op kind, HttpRequest.Builder request) {
        awaitAccountBlock(op);
        Deadline deadline = Deadline.current();
        Duration timeout = deadline.cap(requestTimeout);
        if (timeout.isZero()) {
            throw new StoreException(name, op, "the caller's deadline passed before the request was sent", true);
        }
        KvAnswer answer;
        try {
            HttpResponse<byte[]> r = http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofByteArray());
            answer = new KvAnswer(r);
        } catch (IOException e) {
            String msg = e.getMessage() == null ? "" : ": " + redact(e.getMessage());
            throw new KvTransientException(name, op, e.getClass().getSimpleName() + msg, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(name, op, "interrupted", true, e);
        }
        switch (answer.kind(kind != Op.READ && kind != Op.LIST)) {
            case ACCOUNT_RATE_LIMIT -> {
                Duration wait = answer.retryAfter.orElse(ACCOUNT_BLOCK);
                wait = wait.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : wait;
                long until = System.nanoTime() + wait.toNanos();
                synchronized (this) {
                    if (until - blockedUntilNanos > 0) {
                        blockedUntilNanos = until;
                    }
                }
                throw new KvTransientException(name, op, "Cloudflare's API rate limit for this token (1,200 requests "
                        + "per 5 minutes) answered HTTP 429" + answer.summary(token) + "; every request waits "
                        + wait.toSeconds() + " s", null);
            }
            case FREE_TIER -> throw freeTier(op, kind, answer);
            case TRANSIENT -> throw new KvTransientException(name, op, "HTTP " + answer.status + answer.summary(token)
                    + "; Cloudflare may be unavailable", null);
            default -> {
                return answer;
            }
        }
    }

    /** The key's metadata as this location sees it; empty when absent or expired. */
    Optional<KvMeta> readMeta(String op, String key) {
        KvAnswer a = exchange(op, Op.READ, request(metadataUri(key)).GET());
        KvAnswer.Kind kind = a.kind(false);
        if (kind == KvAnswer.Kind.KEY_NOT_FOUND) {
            return Optional.empty();
        }
        if (kind != KvAnswer.Kind.OK || a.json() == null) {
            throw failure(op, a);
        }
        KvMeta m = KvMeta.from(a.json().get("result"));
        return m.expiredAt(clock.instant()) ? Optional.empty() : Optional.of(m);
    }

    /** The key's value as this location sees it; empty when absent. */
    Optional<byte[]> readValue(String op, String key) {
        KvAnswer a = exchange(op, Op.READ, request(valueUri(key)).GET());
        return switch (a.kind(false)) {
            case KEY_NOT_FOUND -> Optional.empty();
            case OK -> Optional.of(a.body);
            default -> throw failure(op, a);
        };
    }

    /** The live keys of one page of a listing. */
    List<KeyVersion> listed(String op, KvAnswer a) {
        JsonNode result = a.json().path("result");
        if (!result.isArray()) {
            throw new StoreException(name, op, "the listing has no result array", false);
        }
        Instant now = clock.instant();
        List<KeyVersion> out = new ArrayList<>();
        for (JsonNode k : result) {
            String keyName = k.path("name").asText(null);
            if (keyName == null) {
                throw new StoreException(name, op, "a listed key has no name", false);
            }
            Instant exp = k.hasNonNull("expiration") ? Instant.ofEpochSecond(k.get("expiration").asLong()) : null;
            if (exp == null || now.isBefore(exp)) {
                KvMeta m = KvMeta.from(k.get("metadata"));
                out.add(new KeyVersion(keyName, m.version(), Optional.ofNullable(exp != null ? exp : m.expiresAt())));
            }
        }
        return out;
    }

    /** Waits, within the caller's deadline, until the key may take another write from us. */
    void paceWrite(String op, String key) {
        Long last = lastWriteNanos.get(key);
        if (last == null) {
            return;
        }
        long left = last + ONE_WRITE_PER_KEY.toNanos() - System.nanoTime();
        if (left > 0) {
            sleepWithin(op, Duration.ofNanos(left), "the key's next write slot (one write per second per key)");
        }
    }

    void wrote(String key) {
        long now = System.nanoTime();
        lastWriteNanos.put(key, now);
        if (lastWriteNanos.size() > 4096) {
            lastWriteNanos.values().removeIf(t -> now - t > ONE_WRITE_PER_KEY.toNanos());
        }
    }

    private void awaitAccountBlock(String op) {
        long until = blockedUntilNanos;
        long left = until - System.nanoTime();
        if (left > 0) {
            sleepWithin(op, Duration.ofNanos(left), "the end of Cloudflare's API rate-limit block (1,200 requests per "
                    + "5 minutes per token, then 5 minutes blocked); start fewer nodes at once or lengthen their polls");
            synchronized (this) {
                if (blockedUntilNanos == until) {
                    blockedUntilNanos = System.nanoTime(); // waited out (a test's sleeper may be faster than time)
                }
            }
        }
    }

    private void sleepWithin(String op, Duration wait, String what) {
        if (!Deadline.current().allows(wait)) {
            throw new StoreException(name, op, "waiting " + Math.max(1, wait.toSeconds()) + " s for " + what
                    + " would outlast the caller's deadline", true);
        }
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(name, op, "interrupted while waiting for " + what, true, e);
        }
    }

    private StoreException freeTier(String op, Op kind, KvAnswer a) {
        return new StoreException(name, op, "the Cloudflare free tier's daily " + kind.counter + " are used up; they "
                + "reset at 00:00 UTC (HTTP " + a.status + a.summary(token) + "). Until then this account's Workers KV "
                + "refuses them: upgrade to Workers Paid, or use the cloudflare-do store, whose free plan allows "
                + "100,000 requests a day", false);
    }

    /** Turns an answer nothing can fix by waiting into a message an operator can act on. */
    StoreException failure(String op, KvAnswer a) {
        int s = a.status;
        String what = "HTTP " + s + a.summary(token);
        if (!a.isEnvelope()) {
            return new StoreException(name, op, what + " without a Workers KV answer: the endpoint " + baseUrl
                    + " is not a Workers KV API. Check the endpoint setting (default "
                    + CloudflareKvStore.DEFAULT_BASE_URL + ")", false);
        }
        if (a.hasCode(KvAnswer.CODE_NOT_PERMITTED)) {
            return new StoreException(name, op, "Cloudflare does not let the API token from " + tokenSource
                    + " do this on namespace " + namespaceId + " (" + what + "). Give the token the \"Workers KV "
                    + "Storage: Edit\" permission for account " + accountId, false);
        }
        if (s == 401 || s == 403 || a.hasCode(KvAnswer.CODE_AUTHENTICATION)) {
            return new StoreException(name, op, "Cloudflare refused the API token from " + tokenSource + " (" + what
                    + "). Check that the token is current, belongs to account " + accountId
                    + " and has the \"Workers KV Storage: Edit\" permission", false);
        }
        if (a.hasCode(KvAnswer.CODE_NAMESPACE_NOT_FOUND)) {
            return new StoreException(name, op, "account " + accountId + " has no Workers KV namespace with id "
                    + namespaceId + " (" + what + "). Check " + CloudflareKvStore.ENV_NAMESPACE_ID
                    + " against the namespace list in the Cloudflare dashboard", false);
        }
        if (a.hasCode(KvAnswer.CODE_INVALID_EXPIRATION) || a.hasCode(KvAnswer.CODE_INVALID_EXPIRATION_TTL)) {
            return new StoreLimitException(name, op, "Cloudflare refused the expiry (" + what + "); expiries must be "
                    + "at least 60 seconds ahead. If this host's clock is far off, set it right (NTP)");
        }
        if (a.hasCode(KvAnswer.CODE_INVALID_METADATA)) {
            return new StoreException(name, op, "Cloudflare refused the metadata (" + what + "); it must be a JSON "
                    + "object of at most 1,024 bytes. This is a bug in meshjoin: please report it", false);
        }
        if (a.hasCode(KvAnswer.CODE_INVALID_CURSOR)) {
            return new StoreException(name, op, "Cloudflare refused the listing cursor (" + what + "); list again "
                    + "from the start", true);
        }
        if (s == 414 || a.hasCode(KvAnswer.CODE_KEY_TOO_LONG)) {
            return new StoreLimitException(name, op, "Cloudflare refused the key as too long (" + what
                    + "); keys are at most " + CloudflareKvStore.MAX_KEY_BYTES + " bytes");
        }
        if (s == 413 || a.hasCode(KvAnswer.CODE_PAYLOAD_TOO_LARGE)) {
            return new StoreLimitException(name, op, "Cloudflare refused the value or metadata as too large ("
                    + what + "); values are at most 25 MiB and metadata at most "
                    + CloudflareKvStore.MAX_METADATA_BYTES + " bytes");
        }
        return new StoreException(name, op, "unexpected answer " + what, false);
    }

    /** Never let the token reach a message, even if a server or proxy echoes it. */
    String redact(String s) {
        return token.isEmpty() ? s : s.replace(token, "[redacted]");
    }
}
