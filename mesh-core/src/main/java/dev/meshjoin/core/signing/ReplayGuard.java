package dev.meshjoin.core.signing;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Refuses a request seen before: its timestamp must lie within the window around now, and its
 * nonce must be new. A nonce is remembered until its timestamp leaves the window, after which the
 * timestamp check alone refuses it. Kept in memory only: a request is sealed to one signing
 * service's key, which is new on every start, so no other service and no restarted one can open
 * it (see docs/security.md).
 */
final class ReplayGuard {
    private final Duration window;
    private final Clock clock;
    private final int maxEntries;
    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private final AtomicInteger sinceSweep = new AtomicInteger();

    ReplayGuard(Duration window, Clock clock, int maxEntries) {
        this.window = window;
        this.clock = clock;
        this.maxEntries = maxEntries;
    }

    enum Verdict { FRESH, OUTSIDE_WINDOW, REPLAYED, FULL }

    /** Whether the timestamp (epoch seconds) is acceptable now. */
    boolean inWindow(long timestampSeconds) {
        long now = clock.millis() / 1000;
        return Math.abs(now - timestampSeconds) <= window.toSeconds();
    }

    /** Records the nonce if it is fresh. */
    Verdict check(String nonce, long timestampSeconds) {
        if (!inWindow(timestampSeconds)) {
            return Verdict.OUTSIDE_WINDOW;
        }
        if (sinceSweep.incrementAndGet() >= 1024 || seen.size() >= maxEntries) {
            sinceSweep.set(0);
            long now = clock.millis() / 1000;
            seen.values().removeIf(ts -> ts + window.toSeconds() < now);
        }
        if (seen.size() >= maxEntries) {
            return Verdict.FULL;
        }
        return seen.putIfAbsent(nonce, timestampSeconds) == null ? Verdict.FRESH : Verdict.REPLAYED;
    }

    /**
     * Forgets a nonce whose request failed for a reason of the service's own (its store was
     * unreachable) before anything was granted, so the joiner's retry of it is not a "replay".
     */
    void forget(String nonce) {
        seen.remove(nonce);
    }

    /** Seconds the timestamp lies ahead of this clock (negative: behind). */
    long skewSeconds(long timestampSeconds) {
        return timestampSeconds - clock.millis() / 1000;
    }

    int size() {
        return seen.size();
    }
}
