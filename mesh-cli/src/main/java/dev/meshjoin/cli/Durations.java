package dev.meshjoin.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations the way Go's {@code time.ParseDuration} writes them, as nebula-cert's
 * {@code -duration} flag takes them: {@code 8760h}, {@code 90m}, {@code 1h30m}, {@code 45s},
 * {@code 0s}. Refuses anything else with one line.
 */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+)(h|m|s|ms)");

    private Durations() {
    }

    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new CliException("a duration such as 8760h, 90m or 1h30m is required");
        }
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(text);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < text.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new CliException("'" + text + "' is not a duration; write it as 8760h, 90m, 45s or 1h30m");
            }
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw new CliException("'" + text + "' is too large a duration");
            }
            total = total.plus(switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMillis(n);
            });
            at = m.end();
        }
        return total;
    }
}
