package dev.meshjoin.nebula.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.overlay.OverlayException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class NebulaVersionTest {

    @Test
    void readsTheDebianBinarysOutput() {
        assertThat(NebulaVersion.parseOutput("Version: 1.6.1\n")).isEqualTo(new NebulaVersion(1, 6, 1));
    }

    @Test
    void ignoresSuffixesAndSurroundingLines() {
        assertThat(NebulaVersion.parseOutput("something\nVersion: 1.9.3-dev+abc\n")).isEqualTo(new NebulaVersion(1, 9, 3));
    }

    @Test
    void refusesOutputWithoutVersionLine() {
        assertThatThrownBy(() -> NebulaVersion.parseOutput("Usage of nebula:\n  -config string"))
                .isInstanceOf(OverlayException.class).hasMessageContaining("Version: X.Y.Z");
        assertThatThrownBy(() -> NebulaVersion.parseOutput(null)).isInstanceOf(OverlayException.class);
        assertThatThrownBy(() -> NebulaVersion.parseOutput("Version: 1.6")).isInstanceOf(OverlayException.class);
    }

    @Test
    void minimumIsOneSixZero() {
        assertThat(new NebulaVersion(1, 6, 0).isAtLeast(NebulaVersion.MINIMUM)).isTrue();
        assertThat(new NebulaVersion(1, 5, 99).isAtLeast(NebulaVersion.MINIMUM)).isFalse();
        assertThat(new NebulaVersion(1, 2, 0).isAtLeast(NebulaVersion.MINIMUM)).isFalse();
        assertThat(new NebulaVersion(2, 0, 0).isAtLeast(NebulaVersion.MINIMUM)).isTrue();
    }

    @Property
    void printedVersionsParseBack(@ForAll @IntRange(max = 9999) int major, @ForAll @IntRange(max = 9999) int minor,
                                  @ForAll @IntRange(max = 9999) int patch) {
        NebulaVersion v = new NebulaVersion(major, minor, patch);
        assertThat(NebulaVersion.parseOutput("Version: " + v + "\n")).isEqualTo(v);
    }

    @Property
    void orderIsLexicographic(@ForAll @IntRange(max = 50) int a1, @ForAll @IntRange(max = 50) int a2, @ForAll @IntRange(max = 50) int a3,
                              @ForAll @IntRange(max = 50) int b1, @ForAll @IntRange(max = 50) int b2, @ForAll @IntRange(max = 50) int b3) {
        NebulaVersion a = new NebulaVersion(a1, a2, a3);
        NebulaVersion b = new NebulaVersion(b1, b2, b3);
        long ka = a1 * 10_000L + a2 * 100L + a3;
        long kb = b1 * 10_000L + b2 * 100L + b3;
        assertThat(Integer.signum(a.compareTo(b))).isEqualTo(Long.signum(ka - kb));
    }

    @Property
    void arbitraryTextNeverBreaksTheParserOtherThanWithOverlayException(@ForAll String text) {
        try {
            NebulaVersion.parseOutput(text);
        } catch (OverlayException expected) {
            assertThat(expected.getMessage()).contains("Version");
        }
    }
}
