package dev.meshjoin.core.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently to retry an operation that failed in a way that may pass (a store
 * outage, a rate limit): exponential backoff with full jitter, bounded by a number of attempts.
 *
 * <pre>{@code
 * RetryPolicy policy = RetryPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(5), 6);
 * }</pre>
 *
 * @param baseDelay the first delay's upper bound
 * @param maxDelay no delay is longer
 * @param maxAttempts attempts in all, the first included; 1 means no retry
 */
public record RetryPolicy(Duration baseDelay, Duration maxDelay, int maxAttempts) {

    public RetryPolicy {
        if (baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("need 0 <= baseDelay <= maxDelay");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    public static RetryPolicy exponential(Duration baseDelay, Duration maxDelay, int maxAttempts) {
        return new RetryPolicy(baseDelay, maxDelay, maxAttempts);
    }

    /** Never retries. */
    public static RetryPolicy none() {
        return new RetryPolicy(Duration.ZERO, Duration.ZERO, 1);
    }

    /** The default for store operations: 5 attempts, 100 ms doubling to at most 2 s. */
    public static RetryPolicy defaultPolicy() {
        return new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(2), 5);
    }

    /** The delay before attempt {@code attempt + 1}, after {@code attempt} failures (1-based). */
    public Duration delayAfter(int attempt) {
        long cap = baseDelay.toMillis() << Math.min(attempt - 1, 20);
        long bound = Math.min(Math.max(cap, 0), maxDelay.toMillis());
        return Duration.ofMillis(bound == 0 ? 0 : ThreadLocalRandom.current().nextLong(bound / 2, bound + 1));
    }
}
