package dev.meshjoin.core.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.testkit.Concurrently;
import dev.meshjoin.testkit.time.MutableClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private final MutableClock clock = MutableClock.startingNow();

    @Test
    void aBucketGivesItsCapacityThenRefusesAndOtherKeysAreUntouched() {
        RateLimiter limiter = new RateLimiter(3, 1, clock);
        assertThat(limiter.tryAcquire("a", 1)).isTrue();
        assertThat(limiter.tryAcquire("a", 1)).isTrue();
        assertThat(limiter.tryAcquire("a", 1)).isTrue();
        assertThat(limiter.tryAcquire("a", 1)).isFalse();
        assertThat(limiter.hasTokens("a")).isFalse();
        assertThat(limiter.tryAcquire("b", 3)).isTrue();
    }

    @Test
    void tokensComeBackAtTheRefillRateUpToTheCapacity() {
        RateLimiter limiter = new RateLimiter(2, 0.5, clock);
        limiter.tryAcquire("a", 2);
        clock.advance(Duration.ofMillis(1999));
        assertThat(limiter.tryAcquire("a", 1)).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(limiter.tryAcquire("a", 1)).isTrue();

        clock.advance(Duration.ofHours(1));
        assertThat(limiter.tryAcquire("a", 2)).isTrue();
        assertThat(limiter.tryAcquire("a", 1)).as("never more than the capacity").isFalse();
    }

    @Test
    void chargingAfterTheFactCanLeaveDebtThatDelaysTheNextRequest() {
        RateLimiter limiter = new RateLimiter(3, 1, clock);
        assertThat(limiter.retryAfterSeconds("unknown")).isEqualTo(1);
        limiter.charge("a", 5);
        assertThat(limiter.hasTokens("a")).isFalse();
        assertThat(limiter.retryAfterSeconds("a")).isEqualTo(3);
        clock.advance(Duration.ofSeconds(2));
        assertThat(limiter.tryAcquire("a", 1)).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(limiter.tryAcquire("a", 1)).isTrue();
    }

    @Test
    void cyclingThroughManyKeysDoesNotRefillADrainedBucket() {
        RateLimiter limiter = new RateLimiter(2, 0.001, clock);
        limiter.tryAcquire("victim", 2);
        for (int i = 0; i < 12_000; i++) {
            limiter.tryAcquire("attacker-" + i, 0);
        }
        limiter.tryAcquire("trigger-sweep", 1);
        assertThat(limiter.tryAcquire("victim", 1)).isFalse();
    }

    @Test
    void concurrentRequestsGetExactlyTheCapacity() throws Exception {
        RateLimiter limiter = new RateLimiter(50, 1, clock);
        List<Integer> granted = Concurrently.run(16, i -> () -> {
            int ok = 0;
            for (int n = 0; n < 100; n++) {
                if (limiter.tryAcquire("shared", 1)) {
                    ok++;
                }
            }
            return ok;
        });
        assertThat(granted.stream().mapToInt(Integer::intValue).sum()).isEqualTo(50);
    }

    @Test
    void aLimitWithoutCapacityOrRefillIsRefused() {
        assertThatThrownBy(() -> new RateLimiter(0.5, 1, clock)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RateLimiter(5, 0, clock)).isInstanceOf(IllegalArgumentException.class);
    }
}
