package dev.meshjoin.testkit.cloudflare;

import com.sun.net.httpserver.HttpExchange;
import dev.meshjoin.testkit.cloudflare.AccountLimits.Counter;
import dev.meshjoin.testkit.cloudflare.LocalKvServer.RequestKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The key operations and the listing of the local KV server, once the request has passed the
 * token, the rate limit and the injected faults: the free tier's counters, the per-key write limit,
 * and the reads, writes and listings of {@link KvData}.
 */
final class KvApi {
    private final Object lock;
    private final KvData data;
    private final AccountLimits limits;
    private final Clock clock;
    private final boolean writeRateLimit;

    KvApi(Object lock, KvData data, AccountLimits limits, Clock clock, boolean writeRateLimit) {
        this.lock = lock;
        this.data = data;
        this.limits = limits;
        this.clock = clock;
        this.writeRateLimit = writeRateLimit;
    }

    KvResponse keyOperation(HttpExchange ex, String ns, String key, RequestKind kind, String location,
            Instant now) throws IOException {
        if (key.isEmpty()) {
            LocalKvServer.drain(ex);
            return KvResponse.error(400, 10029, "key name is empty").refused();
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > LocalKvServer.MAX_KEY_BYTES) {
            LocalKvServer.drain(ex);
            return KvResponse.error(414, LocalKvServer.KEY_TOO_LONG, "key name too long: the maximum is " + LocalKvServer.MAX_KEY_BYTES + " bytes")
                    .refused();
        }
        KvPut put = null;
        if (kind == RequestKind.PUT) {
            byte[] body = readLimited(ex.getRequestBody(), LocalKvServer.MAX_VALUE_BYTES + 64 * 1024);
            put = KvPut.parse(ex.getRequestHeaders().getFirst("Content-Type"), body,
                    query(ex.getRequestURI().getRawQuery()), now);
            if (put.refusal != null) {
                return put.refusal;
            }
        } else {
            LocalKvServer.drain(ex);
        }
        synchronized (lock) {
            Counter counter = switch (kind) {
                case PUT -> Counter.WRITE;
                case DELETE -> Counter.DELETE;
                default -> Counter.READ;
            };
            if (!limits.charge(counter, now)) {
                return freeTierUsedUp(kind);
            }
            if (kind == RequestKind.PUT || kind == RequestKind.DELETE) {
                Instant last = data.lastWriteAt(ns, key);
                if (writeRateLimit && last != null && now.isBefore(last.plusSeconds(1))) {
                    return KvResponse.error(429, LocalKvServer.TOO_MANY_REQUESTS, "KV " + (kind == RequestKind.PUT ? "PUT" : "DELETE")
                            + " failed: 429 Too Many Requests").header("Retry-After", "1").kind(kind);
                }
                data.write(ns, key, put == null ? null : put.value, put == null ? null : put.metadata,
                        put == null ? null : put.expiration, now, location);
                return KvResponse.envelope("null").kind(kind);
            }
            KvData.Write w = data.read(ns, key, now, location);
            if (w == null) {
                String what = kind == RequestKind.GET_VALUE ? "get" : "metadata";
                return KvResponse.error(404, LocalKvServer.KEY_NOT_FOUND, what + ": 'key not found'").kind(kind);
            }
            if (kind == RequestKind.GET_METADATA) {
                return KvResponse.envelope(w.metadataJson() == null ? "null" : w.metadataJson()).kind(kind);
            }
            KvResponse r = new KvResponse(200, w.value().clone(), "application/octet-stream").kind(kind);
            return w.expiration() == null ? r : r.header("Expiration", Long.toString(w.expiration()));
        }
    }

    private static KvResponse freeTierUsedUp(RequestKind kind) {
        return KvResponse.error(429, LocalKvServer.FREE_TIER_LIMIT, "KV " + kind + " failed: your account has reached the free "
                + "usage limit for this operation for today").kind(kind);
    }

    KvResponse list(String ns, String rawQuery, String location) {
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
                return KvResponse.error(400, LocalKvServer.INVALID_LIMIT, "Invalid key limit: must be between 10 and 1000")
                        .kind(RequestKind.LIST);
            }
        }
        String after = null;
        String cursor = q.get("cursor");
        if (cursor != null && !cursor.isEmpty()) {
            try {
                after = new String(java.util.Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return KvResponse.error(400, LocalKvServer.INVALID_CURSOR, "Invalid cursor").kind(RequestKind.LIST);
            }
        }
        Instant now = clock.instant();
        StringBuilder keys = new StringBuilder("[");
        int count = 0;
        String last = null;
        boolean more = false;
        synchronized (lock) {
            if (!limits.charge(Counter.LIST, now)) {
                return freeTierUsedUp(RequestKind.LIST);
            }
            Map<String, List<KvData.Write>> tail = after == null ? data.keys(ns).tailMap(prefix, true)
                    : data.keys(ns).tailMap(after, false);
            for (String k : tail.keySet()) {
                if (!k.startsWith(prefix)) {
                    break; // keys sharing a prefix are contiguous in byte order
                }
                KvData.Write w = data.visible(ns, k, now, location);
                if (w == null) {
                    continue;
                }
                if (count == limit) {
                    more = true;
                    break;
                }
                keys.append(count > 0 ? "," : "").append("{\"name\":").append(Json.quote(k));
                if (w.expiration() != null) {
                    keys.append(",\"expiration\":").append(w.expiration());
                }
                if (w.metadataJson() != null) {
                    keys.append(",\"metadata\":").append(w.metadataJson());
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
        return new KvResponse(200, body.getBytes(StandardCharsets.UTF_8), "application/json").kind(RequestKind.LIST);
    }

    /** The body, or null when it is longer than {@code max} (the rest is discarded). */
    static byte[] readLimited(InputStream in, long max) throws IOException {
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

    static Map<String, String> query(String raw) {
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

}
