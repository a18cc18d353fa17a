package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LogOptionsTest {

    @Test
    void takesTheLogFlagsOutWhereverTheyStandInEveryForm() {
        LogOptions o = LogOptions.extract(List.of("--log-level", "DEBUG", "up", "--name", "a", "-log-format=json", "-x"));
        assertThat(o.level()).isEqualTo("debug");
        assertThat(o.json()).isTrue();
        assertThat(o.rest()).containsExactly("up", "--name", "a", "-x");
    }

    @Test
    void defaultsAndEverythingAfterDoubleDashIsLeftAlone() {
        LogOptions o = LogOptions.extract(List.of("secret", "seal", "--", "--log-level", "x"));
        assertThat(o.level()).isEqualTo(LogOptions.DEFAULT_LEVEL);
        assertThat(o.format()).isEqualTo("text");
        assertThat(o.rest()).containsExactly("secret", "seal", "--", "--log-level", "x");
    }

    @Test
    void refusesUnknownValuesAndAMissingValueAsUsageErrors() {
        assertThatThrownBy(() -> LogOptions.extract(List.of("-log-format", "xml"))).isInstanceOf(CliException.class)
                .hasMessageContaining("text, json").extracting(e -> ((CliException) e).status()).isEqualTo(ExitStatus.USAGE);
        assertThatThrownBy(() -> LogOptions.extract(List.of("up", "--log-level")))
                .hasMessageContaining("-log-level needs a value");
    }
}
