package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rehearsal the class-data archive is recorded from does what a real cold {@code meshctl up}
 * does, all but running nebula: a founder that becomes READY, a joiner that joins it over the HTTP
 * transport and whose state follower brings back the signed state document, and the read-only
 * commands, every one with the exit status of a real run. A step that stopped working would leave
 * its classes out of the archive without failing the build, so this test is what notices. Starts
 * HTTP servers on loopback; needs neither root nor nebula.
 */
class CdsTrainingIT {
    @TempDir
    Path dir;

    @Test
    void everyStepOfTheRehearsalEndsAsARealRunWould() throws Exception {
        List<String> failed = CdsTraining.rehearse(dir);

        assertThat(failed).isEmpty();
        // The joiner left as a real up does on SIGTERM, and said so in its status file.
        assertThat(StatusFile.read(dir.resolve("joiner"))).get().extracting(StatusFile::state).isEqualTo("LEFT");
    }
}
