package dev.meshjoin.testkit.cloudflare;

import dev.meshjoin.testkit.cloudflare.LocalKvServer.RequestKind;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Answers injected by tests for the next matching requests of the local KV server; thread-safe. */
final class KvFaults {
    /**
     * One injected answer.
     *
     * @param only the kind of request it applies to, or null for all
     * @param key the key it applies to, or null for all
     * @param apply whether the request is carried out before the injected answer replaces its own
     */
    record Fault(RequestKind only, String key, int status, int code, Integer retryAfter, boolean apply) {
        KvResponse answer() {
            String msg = switch (code) {
                case LocalKvServer.API_RATE_LIMIT -> "Please wait and consider throttling your request speed";
                case LocalKvServer.TOO_MANY_REQUESTS -> "KV PUT failed: 429 Too Many Requests";
                default -> "Service temporarily unavailable";
            };
            KvResponse r = KvResponse.error(status, code, msg).refused();
            return retryAfter == null ? r : r.header("Retry-After", retryAfter.toString());
        }
    }

    private static final class Pending {
        final Fault fault;
        int skip;
        int left;

        Pending(Fault fault, int skip, int left) {
            this.fault = fault;
            this.skip = skip;
            this.left = left;
        }
    }

    private final List<Pending> pending = new ArrayList<>();

    synchronized void add(RequestKind only, int times, int status, int code, Integer retryAfter, boolean apply) {
        add(only, null, 0, times, status, code, retryAfter, apply);
    }

    /** A fault for the requests matching {@code only} and {@code key}, once {@code skip} of them passed. */
    synchronized void add(RequestKind only, String key, int skip, int times, int status, int code, Integer retryAfter,
            boolean apply) {
        if (times > 0) {
            pending.add(new Pending(new Fault(only, key, status, code, retryAfter, apply), skip, times));
        }
    }

    /** The fault for this request (key null for listings), if one is pending for it; counts it down. */
    synchronized Fault take(RequestKind kind, String key) {
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if ((p.fault.only() == null || p.fault.only() == kind)
                    && (p.fault.key() == null || p.fault.key().equals(key))) {
                if (p.skip > 0) {
                    p.skip--;
                    continue;
                }
                if (--p.left <= 0) {
                    it.remove();
                }
                return p.fault;
            }
        }
        return null;
    }
}
