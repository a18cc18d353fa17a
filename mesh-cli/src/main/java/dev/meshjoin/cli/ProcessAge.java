package dev.meshjoin.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How long this process has been running: the whole cost of a cold start as the operator sees it.
 *
 * <p>On Linux it is read from {@code /proc}: the process's start in clock ticks since boot
 * ({@code /proc/self/stat}, field 22) against the time since boot ({@code /proc/uptime}), both on
 * the same clock, to 10 ms. {@link ProcessHandle.Info#startInstant()} is not used there: the JDK
 * adds those ticks to the boot time of {@code /proc/stat}, which is whole seconds, so its start
 * can be up to a second early and every figure measured from it too long by a constant.
 */
final class ProcessAge {
    /** USER_HZ, the unit of the start time in /proc: 100 on every Linux architecture Java runs on. */
    static final int TICKS_PER_SECOND = 100;

    private ProcessAge() {
    }

    /** Milliseconds since this process started, where the OS tells. */
    static Optional<Long> millis() {
        try {
            Optional<Long> fromProc = fromProc(Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII),
                    Files.readString(Path.of("/proc/uptime"), StandardCharsets.US_ASCII));
            if (fromProc.isPresent()) {
                return fromProc;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no /proc: the JDK's figure below
        }
        return ProcessHandle.current().info().startInstant().map(t -> Duration.between(t, Instant.now()).toMillis());
    }

    /**
     * The age from the texts of {@code /proc/self/stat} and {@code /proc/uptime}; empty when they
     * are not what Linux writes. The command name in the stat line may hold spaces and parentheses,
     * so the fields are counted from the last closing parenthesis.
     */
    static Optional<Long> fromProc(String stat, String uptime) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return Optional.empty();
        }
        String[] fields = stat.substring(close + 1).trim().split("\\s+");
        String[] up = uptime.trim().split("\\s+");
        // fields[0] is field 3 (the state), so field 22 (starttime) is fields[19].
        if (fields.length < 20 || up.length < 1) {
            return Optional.empty();
        }
        try {
            long startTicks = Long.parseLong(fields[19]);
            double upSeconds = Double.parseDouble(up[0]);
            long age = Math.round(upSeconds * 1000) - startTicks * 1000 / TICKS_PER_SECOND;
            return startTicks < 0 || age < 0 ? Optional.empty() : Optional.of(age);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
