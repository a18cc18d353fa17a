package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcessAgeTest {
    private static String stat(String comm, long startTicks) {
        StringBuilder b = new StringBuilder("4242 (" + comm + ") S");
        for (int field = 4; field <= 21; field++) {
            b.append(' ').append(field);
        }
        return b.append(' ').append(startTicks).append(" 9999 88 777\n").toString();
    }

    @Test
    void theAgeIsTheUptimeLessTheStartTicks() {
        assertThat(ProcessAge.fromProc(stat("java", 1_000_000), "10001.25 555.00\n")).contains(1_250L);
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        assertThat(ProcessAge.fromProc(stat("a) b (c", 200), "3.50 1.00")).contains(1_500L);
    }

    @Test
    void textThatIsNotWhatLinuxWritesGivesNothing() {
        assertThat(ProcessAge.fromProc("4242 java S 1 2", "10.0")).isEmpty();
        assertThat(ProcessAge.fromProc(stat("java", 100), "not-a-number")).isEmpty();
        assertThat(ProcessAge.fromProc(stat("java", 5_000), "10.00")).as("started after now").isEmpty();
        assertThat(ProcessAge.fromProc("(short) S 1", "1.0")).isEmpty();
    }

    @Test
    void onLinuxThisJvmIsOlderThanZeroAndYoungerThanItsUptimeSaysVeryRoughly() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "needs Linux's /proc");
        Optional<Long> age = ProcessAge.millis();
        long jvmUptime = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
        assertThat(age).isPresent();
        // The process exists a little before the JVM's clock starts, and not seconds before.
        assertThat(age.get()).isBetween(jvmUptime - 20, jvmUptime + 2_000);
    }
}
