package dev.meshjoin.api.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlineTest {

    @Test
    void aThreadWithoutADeadlineIsUnbounded() {
        assertThat(Deadline.isSet()).isFalse();
        assertThat(Deadline.current().unbounded()).isTrue();
        assertThat(Deadline.current().allows(Duration.ofDays(3650))).isTrue();
        assertThat(Deadline.remainingIfSet()).isEmpty();
    }

    @Test
    void nestedScopesKeepTheEarlierDeadlineAndRestoreOnClose() {
        Deadline outer = Deadline.after(Duration.ofSeconds(1));
        try (Deadline.Scope a = outer.enter()) {
            try (Deadline.Scope b = Deadline.after(Duration.ofHours(1)).enter()) {
                assertThat(Deadline.current()).isSameAs(outer);
                assertThat(b.deadline().remaining()).isLessThanOrEqualTo(Duration.ofSeconds(1));
            }
            Deadline inner = Deadline.after(Duration.ofMillis(10));
            try (Deadline.Scope c = inner.enter()) {
                assertThat(Deadline.current()).isSameAs(inner);
            }
            assertThat(Deadline.current()).isSameAs(outer);
        }
        assertThat(Deadline.isSet()).isFalse();
    }

    @Test
    void capAndSleepStopAtTheDeadline() throws InterruptedException {
        Deadline d = Deadline.after(Duration.ofMillis(100));
        assertThat(d.cap(Duration.ofMinutes(5))).isLessThanOrEqualTo(Duration.ofMillis(100));
        assertThat(d.cap(Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(1));
        long start = System.nanoTime();
        assertThat(d.sleep(Duration.ofMinutes(5))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(d.expired()).isTrue();
        assertThat(d.remaining()).isEqualTo(Duration.ZERO);
        assertThat(d.allows(Duration.ofMillis(1))).isFalse();
    }

    @Test
    void refusesAPastDeadline() {
        assertThatThrownBy(() -> Deadline.after(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
