package dev.meshjoin.testkit.cloudflare;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The account-wide limits Cloudflare documents, on the server's clock. Not thread-safe: the server
 * calls it under one lock.
 *
 * <ul>
 *   <li>The API rate limit: 1,200 requests per five minutes per user or token; past it, every call
 *       is answered 429 for the next five minutes (window, count and block are settable so tests
 *       need not wait five minutes).</li>
 *   <li>The Workers KV free tier: 100,000 reads, 1,000 writes, 1,000 deletes and 1,000 lists a day,
 *       reset at 00:00 UTC; past one, that operation is refused with error 10048.</li>
 * </ul>
 */
final class AccountLimits {
    /** The counters of the free tier. */
    enum Counter { READ, WRITE, DELETE, LIST }

    private final int maxRequests;
    private final Duration window;
    private final Duration block;
    private final Map<Counter, Long> daily;
    private final Deque<Instant> recent = new ArrayDeque<>();
    private final List<Instant> all = new ArrayList<>();
    private final Map<Counter, Long> used = new EnumMap<>(Counter.class);
    private Instant blockedUntil = Instant.MIN;
    private int blocks;
    private LocalDate day;

    /**
     * @param maxRequests requests allowed per window, or 0 for no rate limit
     * @param daily the free tier's limit per counter, or null for no free-tier limits
     */
    AccountLimits(int maxRequests, Duration window, Duration block, Map<Counter, Long> daily) {
        this.maxRequests = maxRequests;
        this.window = window;
        this.block = block;
        this.daily = daily;
    }

    /** The seconds left of the block when this request is refused by the rate limit, else -1. */
    long admit(Instant now) {
        all.add(now);
        if (maxRequests <= 0) {
            return -1;
        }
        if (now.isBefore(blockedUntil)) {
            return ceilSeconds(Duration.between(now, blockedUntil));
        }
        while (!recent.isEmpty() && !recent.peekFirst().isAfter(now.minus(window))) {
            recent.removeFirst();
        }
        if (recent.size() >= maxRequests) {
            blockedUntil = now.plus(block);
            blocks++;
            recent.clear();
            return ceilSeconds(block);
        }
        recent.addLast(now);
        return -1;
    }

    /** Counts one operation; false when today's free tier for it is used up (nothing is counted then). */
    boolean charge(Counter c, Instant now) {
        LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
        if (!today.equals(day)) {
            day = today;
            used.clear();
        }
        long n = used.getOrDefault(c, 0L);
        if (daily != null && n >= daily.get(c)) {
            return false;
        }
        used.put(c, n + 1);
        return true;
    }

    long used(Counter c) {
        return used.getOrDefault(c, 0L);
    }

    int blocks() {
        return blocks;
    }

    /** The most requests that arrived within any span of {@code span}. */
    int peak(Duration span) {
        List<Instant> times = new ArrayList<>(all);
        Collections.sort(times);
        int best = 0;
        int from = 0;
        for (int to = 0; to < times.size(); to++) {
            while (!times.get(from).isAfter(times.get(to).minus(span))) {
                from++;
            }
            best = Math.max(best, to - from + 1);
        }
        return best;
    }

    void reset() {
        all.clear();
    }

    private static long ceilSeconds(Duration d) {
        return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    }
}
