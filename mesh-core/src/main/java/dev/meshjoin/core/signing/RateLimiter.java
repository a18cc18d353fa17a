package dev.meshjoin.core.signing;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets by key (a source address, a credential id). Each key has its own bucket, so one
 * key running dry never slows another. Buckets that are full again are dropped when the table
 * grows, so an attacker cycling through keys cannot make it grow without bound.
 */
final class RateLimiter {
    private static final int SWEEP_ABOVE = 10_000;

    private final double capacity;
    private final double refillPerSecond;
    private final Clock clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(double capacity, double refillPerSecond, Clock clock) {
        if (capacity < 1 || refillPerSecond <= 0) {
            throw new IllegalArgumentException("a rate limit needs a capacity of at least 1 and a positive refill rate");
        }
        this.capacity = capacity;
        this.refillPerSecond = refillPerSecond;
        this.clock = clock;
    }

    /** Takes {@code cost} tokens if the bucket has them; true when it did. */
    boolean tryAcquire(String key, double cost) {
        return bucket(key).take(cost, false);
    }

    /** Takes {@code cost} tokens even if that leaves the bucket in debt (for failures, charged after the fact). */
    void charge(String key, double cost) {
        bucket(key).take(cost, true);
    }

    /** True when the bucket has at least one token. */
    boolean hasTokens(String key) {
        Bucket b = buckets.get(key);
        return b == null || b.level() >= 1;
    }

    /** Seconds until the key's bucket holds one token again (at least 1). */
    long retryAfterSeconds(String key) {
        Bucket b = buckets.get(key);
        if (b == null) {
            return 1;
        }
        double missing = 1 - b.level();
        return Math.max(1, (long) Math.ceil(missing / refillPerSecond));
    }

    private Bucket bucket(String key) {
        if (buckets.size() > SWEEP_ABOVE) {
            buckets.values().removeIf(b -> b.level() >= capacity);
        }
        return buckets.computeIfAbsent(key, k -> new Bucket());
    }

    private final class Bucket {
        private double tokens = capacity;
        private long lastMillis = clock.millis();

        synchronized boolean take(double cost, boolean evenIntoDebt) {
            refill();
            if (tokens >= cost || evenIntoDebt) {
                tokens -= cost;
                return true;
            }
            return false;
        }

        synchronized double level() {
            refill();
            return tokens;
        }

        private void refill() {
            long now = clock.millis();
            if (now > lastMillis) {
                tokens = Math.min(capacity, tokens + (now - lastMillis) / 1000.0 * refillPerSecond);
                lastMillis = now;
            }
        }
    }
}
