package dev.meshjoin.api.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void retriesRetryableFailuresUpToTheAttemptLimit() {
        AtomicInteger calls = new AtomicInteger();
        RetryPolicy policy = RetryPolicy.exponential(Duration.ofMillis(1), Duration.ofMillis(2), 3);
        assertThatThrownBy(() -> policy.call(() -> {
            calls.incrementAndGet();
            throw new IllegalStateException("down");
        }, e -> true)).hasMessage("down");
        assertThat(calls).hasValue(3);
    }

    @Test
    void returnsTheFirstSuccess() {
        AtomicInteger calls = new AtomicInteger();
        RetryPolicy policy = RetryPolicy.exponential(Duration.ofMillis(1), Duration.ofMillis(2), 5);
        String result = policy.call(() -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("not yet");
            }
            return "ok";
        }, e -> true);
        assertThat(result).isEqualTo("ok");
        assertThat(calls).hasValue(3);
    }

    @Test
    void neverRetriesWhatIsNotRetryable() {
        AtomicInteger calls = new AtomicInteger();
        RetryPolicy policy = RetryPolicy.defaultPolicy();
        assertThatThrownBy(() -> policy.call(() -> {
            calls.incrementAndGet();
            throw new IllegalArgumentException("bad");
        }, e -> e instanceof IllegalStateException)).isInstanceOf(IllegalArgumentException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void aDelayThatWouldPassTheDeadlineEndsTheRetriesAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        RetryPolicy slow = RetryPolicy.exponential(Duration.ofSeconds(10), Duration.ofSeconds(10), 10);
        long start = System.nanoTime();
        try (Deadline.Scope scope = Deadline.after(Duration.ofMillis(500)).enter()) {
            assertThatThrownBy(() -> slow.call(() -> {
                calls.incrementAndGet();
                throw new IllegalStateException("down");
            }, e -> true)).hasMessage("down");
        }
        assertThat(calls).hasValue(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void delaysGrowAndStayWithinTheirBounds() {
        RetryPolicy policy = RetryPolicy.exponential(Duration.ofMillis(100), Duration.ofMillis(800), 10);
        for (int i = 0; i < 200; i++) {
            assertThat(policy.delayAfter(1)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
            assertThat(policy.delayAfter(3)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
            assertThat(policy.delayAfter(9)).isBetween(Duration.ofMillis(400), Duration.ofMillis(800));
        }
    }
}
