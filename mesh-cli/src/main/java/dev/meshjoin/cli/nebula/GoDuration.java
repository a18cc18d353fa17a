package dev.meshjoin.cli.nebula;

import dev.meshjoin.MeshConfig;
import dev.meshjoin.cli.CliException;
import java.time.Duration;

/**
 * Durations written as Go's {@code time.ParseDuration} reads them, so {@code -duration} takes what
 * nebula-cert takes: {@code 8760h}, {@code 1h30m}, {@code 90s}, {@code 1.5h}, {@code 0}.
 */
public final class GoDuration {
    private GoDuration() {
    }

    public static Duration parse(String flag, String text) {
        try {
            return MeshConfig.parseDuration(text);
        } catch (IllegalArgumentException e) {
            if (e.getMessage().contains("too long")) {
                throw new CliException("-" + flag + " " + text + " is too long a duration", 2);
            }
            throw new CliException("invalid value \"" + text + "\" for flag -" + flag
                    + ": write a duration such as 8760h, 1h30m or 90s", 2);
        }
    }

    /** Go's {@code Duration.String()} for whole seconds, as nebula-cert's usage shows defaults. */
    public static String format(Duration d) {
        long s = d.getSeconds();
        return (s / 3600) + "h" + (s % 3600 / 60) + "m" + (s % 60) + "s";
    }
}
