package dev.meshjoin.cli.nebula;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.cli.CliException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {

    @Test
    void readsWhatGoReads() {
        assertThat(GoDuration.parse("d", "8760h0m0s")).isEqualTo(Duration.ofHours(8760));
        assertThat(GoDuration.parse("d", "1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("d", "1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("d", "300ms")).isEqualTo(Duration.ofMillis(300));
        assertThat(GoDuration.parse("d", "0")).isZero();
        assertThat(GoDuration.parse("d", "-2s")).isEqualTo(Duration.ofSeconds(-2));
        assertThat(GoDuration.format(Duration.ofHours(8760))).isEqualTo("8760h0m0s");
    }

    @Test
    void refusesWhatGoRefuses() {
        for (String bad : new String[] {"", "10", "h", "1d", "1..5h", "1h x", "-"}) {
            assertThatThrownBy(() -> GoDuration.parse("duration", bad)).as(bad).isInstanceOf(CliException.class)
                    .hasMessageContaining("-duration");
        }
    }
}
