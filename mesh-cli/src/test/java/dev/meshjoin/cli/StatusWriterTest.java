package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusWriterTest {
    @TempDir
    Path dir;

    private static NodeStatus status(NodeState state) {
        return new NodeStatus(state, state.name().toLowerCase(java.util.Locale.ROOT), Optional.empty(), Optional.empty(),
                false, Instant.now());
    }

    private String fileState() {
        return StatusFile.read(dir).map(StatusFile::state).orElse("none");
    }

    @Test
    void aStateTheNodeStaysInIsInTheFileWhenTheChangeReturnsAndNoOlderWriteReplacesIt() throws Exception {
        StatusWriter w = new StatusWriter(dir, "file:/s");
        // Many passing states queued on the file's thread, then READY: the file says READY at once,
        // and still does once every queued write has run.
        for (int i = 0; i < 50; i++) {
            w.onStateChange(status(NodeState.DISCOVERING), status(i % 2 == 0 ? NodeState.JOINING : NodeState.STARTING_OVERLAY));
        }
        w.onStateChange(status(NodeState.REGISTERING), status(NodeState.READY));
        assertThat(fileState()).isEqualTo("READY");
        Thread.sleep(300); // the queued writes run meanwhile, and are dropped as older
        assertThat(fileState()).isEqualTo("READY");
        w.onStateChange(status(NodeState.READY), status(NodeState.LEFT));
        assertThat(fileState()).isEqualTo("LEFT");
    }

    @Test
    void passingStatesReachTheFileToo() throws Exception {
        StatusWriter w = new StatusWriter(dir, "file:/s");
        w.onStateChange(status(NodeState.DISCOVERING), status(NodeState.JOINING));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!fileState().equals("JOINING") && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(fileState()).isEqualTo("JOINING");
    }
}
