package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FlagsTest {
    private final Flags flags = new Flags("sign").string("name", "node name").string("duration", "d", "0s")
            .bool("json", "json output");

    @Test
    void acceptsGoStyleForms() {
        Flags.Parsed p = flags.parse(List.of("-name", "a", "--duration=5h", "-json", "extra"));
        assertThat(p.get("name")).isEqualTo("a");
        assertThat(p.get("duration")).isEqualTo("5h");
        assertThat(p.bool("json")).isTrue();
        assertThat(p.positional()).containsExactly("extra");
    }

    @Test
    void defaultsApplyWhenAbsent() {
        Flags.Parsed p = flags.parse(List.of());
        assertThat(p.get("duration")).isEqualTo("0s");
        assertThat(p.bool("json")).isFalse();
        assertThat(p.isSet("duration")).isFalse();
    }

    @Test
    void refusesUnknownFlagsMissingValuesAndBadBooleans() {
        assertThatThrownBy(() -> flags.parse(List.of("-nope"))).isInstanceOf(CliException.class)
                .hasMessageContaining("unknown flag -nope");
        assertThatThrownBy(() -> flags.parse(List.of("-name"))).hasMessageContaining("-name needs a value");
        assertThatThrownBy(() -> flags.parse(List.of("-json=maybe"))).hasMessageContaining("true or false");
        assertThatThrownBy(() -> flags.parse(List.of()).require("name")).hasMessageContaining("-name is required");
    }
}
