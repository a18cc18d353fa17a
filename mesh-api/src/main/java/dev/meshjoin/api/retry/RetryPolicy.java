package dev.meshjoin.api.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * How often and how patiently to retry an operation that failed in a way that may pass (a store
 * outage, a rate limit): exponential backoff with jitter, bounded by a number of attempts and by
 * the caller's {@link Deadline}. It is the one retry loop of meshjoin: stores, the daemon
 * supervisor and the join loops all use it, and a store that retries by itself says so
 * ({@code BootstrapStore.retriesItself()}) so that no caller wraps it in a second layer.
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

    /**
     * Runs {@code op}, retrying while it throws an exception that {@code retryable} accepts, at
     * most {@link #maxAttempts()} times in all and never past the thread's {@link Deadline}: when
     * the next delay would end after it, the last failure is thrown at once.
     *
     * @throws RuntimeException the last failure, or the first one that is not retryable; when the
     *     thread is interrupted during a delay, the failure before it (with the interrupt flag set)
     */
    public <T> T call(Supplier<T> op, Predicate<? super RuntimeException> retryable) {
        return call(op, retryable, (attempt, failure, delay) -> { });
    }

    /** {@link #call(Supplier, Predicate)}, telling {@code onRetry} before each delay. */
    public <T> T call(Supplier<T> op, Predicate<? super RuntimeException> retryable, RetryListener onRetry) {
        Deadline deadline = Deadline.current();
        for (int attempt = 1; ; attempt++) {
            try {
                return op.get();
            } catch (RuntimeException e) {
                if (!retryable.test(e) || attempt >= maxAttempts) {
                    throw e;
                }
                Duration delay = delayAfter(attempt);
                if (!deadline.allows(delay)) {
                    throw e;
                }
                onRetry.beforeRetry(attempt, e, delay);
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Told of each retry before its delay; for logging. */
    @FunctionalInterface
    public interface RetryListener {
        /**
         * @param attempt the attempt that failed, 1-based
         * @param failure its failure
         * @param delay the wait before the next attempt
         */
        void beforeRetry(int attempt, RuntimeException failure, Duration delay);
    }
}
