package dev.meshjoin.cli.nebula;

import dev.meshjoin.cli.CliException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

/**
 * Durations written as Go's {@code time.ParseDuration} reads them, so {@code -duration} takes what
 * nebula-cert takes: {@code 8760h}, {@code 1h30m}, {@code 90s}, {@code 1.5h}, {@code 0}.
 */
public final class GoDuration {
    private static final Map<String, Long> UNIT_NANOS = Map.of("ns", 1L, "us", 1_000L, "µs", 1_000L, "μs", 1_000L,
            "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private GoDuration() {
    }

    public static Duration parse(String flag, String text) {
        String s = text;
        boolean negative = false;
        if (s.startsWith("-") || s.startsWith("+")) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw invalid(flag, text);
        }
        BigDecimal nanos = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(start, i);
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            Long unit = UNIT_NANOS.get(s.substring(unitStart, i));
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.') || unit == null) {
                throw invalid(flag, text);
            }
            nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unit)));
        }
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new CliException("-" + flag + " " + text + " is too long a duration", 2);
        }
        Duration d = Duration.ofNanos(nanos.longValue());
        return negative ? d.negated() : d;
    }

    private static CliException invalid(String flag, String text) {
        return new CliException("invalid value \"" + text + "\" for flag -" + flag
                + ": write a duration such as 8760h, 1h30m or 90s", 2);
    }

    /** Go's {@code Duration.String()} for whole seconds, as nebula-cert's usage shows defaults. */
    public static String format(Duration d) {
        long s = d.getSeconds();
        return (s / 3600) + "h" + (s % 3600 / 60) + "m" + (s % 60) + "s";
    }
}
