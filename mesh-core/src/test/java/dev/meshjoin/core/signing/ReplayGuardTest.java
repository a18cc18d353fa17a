package dev.meshjoin.core.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.core.signing.ReplayGuard.Verdict;
import dev.meshjoin.testkit.Concurrently;
import dev.meshjoin.testkit.time.MutableClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {
    private final MutableClock clock = MutableClock.startingNow();
    private final ReplayGuard guard = new ReplayGuard(Duration.ofSeconds(60), clock, 1000);

    private long now() {
        return clock.millis() / 1000;
    }

    @Test
    void aNonceIsAcceptedOnceOnly() {
        assertThat(guard.check("n1", now())).isEqualTo(Verdict.FRESH);
        assertThat(guard.check("n1", now())).isEqualTo(Verdict.REPLAYED);
        assertThat(guard.check("n1", now() - 5)).as("another timestamp does not make it new").isEqualTo(Verdict.REPLAYED);
        assertThat(guard.check("n2", now())).isEqualTo(Verdict.FRESH);
    }

    @Test
    void timestampsOutsideTheWindowAreRefusedOnEitherSide() {
        assertThat(guard.check("edge-past", now() - 60)).isEqualTo(Verdict.FRESH);
        assertThat(guard.check("edge-future", now() + 60)).isEqualTo(Verdict.FRESH);
        assertThat(guard.check("past", now() - 61)).isEqualTo(Verdict.OUTSIDE_WINDOW);
        assertThat(guard.check("future", now() + 61)).isEqualTo(Verdict.OUTSIDE_WINDOW);
        assertThat(guard.size()).as("refused nonces are not remembered").isEqualTo(2);
    }

    @Test
    void aNonceIsForgottenOnlyOnceItsTimestampAloneRefusesIt() {
        ReplayGuard roomy = new ReplayGuard(Duration.ofSeconds(60), clock, 5000);
        long sent = now();
        roomy.check("old", sent);
        clock.advance(Duration.ofSeconds(60));
        assertThat(roomy.check("old", sent)).as("still inside the window").isEqualTo(Verdict.REPLAYED);
        clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 1024; i++) {
            roomy.check("filler-" + i, now());
        }
        assertThat(roomy.size()).as("the sweep dropped the expired nonce").isEqualTo(1024);
        assertThat(roomy.check("old", sent)).isEqualTo(Verdict.OUTSIDE_WINDOW);
    }

    @Test
    void aFullGuardRefusesUntilTheWindowMovesOn() {
        ReplayGuard small = new ReplayGuard(Duration.ofSeconds(60), clock, 3);
        assertThat(small.check("a", now())).isEqualTo(Verdict.FRESH);
        assertThat(small.check("b", now())).isEqualTo(Verdict.FRESH);
        assertThat(small.check("c", now())).isEqualTo(Verdict.FRESH);
        assertThat(small.check("d", now())).isEqualTo(Verdict.FULL);
        assertThat(small.check("a", now())).as("full is checked before replay").isEqualTo(Verdict.FULL);

        clock.advance(Duration.ofSeconds(61));
        assertThat(small.check("d", now())).isEqualTo(Verdict.FRESH);
        assertThat(small.size()).isEqualTo(1);
    }

    @Test
    void ofManyConcurrentUsesOfOneNonceExactlyOneIsFresh() throws Exception {
        for (int round = 0; round < 20; round++) {
            String nonce = "race-" + round;
            List<Verdict> verdicts = Concurrently.run(16, i -> () -> guard.check(nonce, now()));
            assertThat(verdicts).filteredOn(v -> v == Verdict.FRESH).hasSize(1);
            assertThat(verdicts).filteredOn(v -> v == Verdict.REPLAYED).hasSize(15);
        }
    }
}
