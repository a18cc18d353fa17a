package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM during a join that cannot finish: a real {@code meshctl up} process on a file store, with
 * no public endpoint and no founder, so it can only wait. It needs no network and no root.
 */
class MeshctlUpSigtermIT {
    @TempDir
    Path tmp;
    private Process process;

    @AfterEach
    void tearDown() {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    @Test
    void sigtermThreeSecondsIntoAJoinThatCannotFinishExitsWithinTwoSecondsAndNonZero() throws Exception {
        Path log = tmp.resolve("up.log");
        ProcessBuilder pb = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.meshjoin.cli.Meshctl", "up",
                "--name", "waiter", "--store", "file:" + tmp.resolve("store"),
                "--state-dir", tmp.resolve("waiter").toString(), "--network", "it", "--join-timeout", "2m"))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("MESH_SECRET", "it-network-secret-0123");
        long started = System.nanoTime();
        process = pb.start();

        awaitOutput(log, "ELECTING", 30_000);
        long sinceStart = (System.nanoTime() - started) / 1_000_000;
        if (sinceStart < 3000) {
            Thread.sleep(3000 - sinceStart);
        }
        long t0 = System.nanoTime();
        process.destroy(); // SIGTERM
        boolean exited = process.waitFor(10, TimeUnit.SECONDS);
        long exitMs = (System.nanoTime() - t0) / 1_000_000;
        String output = read(log);
        System.out.println("meshctl up exited " + exitMs + " ms after SIGTERM with status "
                + (exited ? process.exitValue() : "none"));

        assertThat(exited).as(output).isTrue();
        assertThat(exitMs).as(output).isLessThan(2000);
        assertThat(process.exitValue()).as(output).isNotZero();
        assertThat(output).contains("before the node became READY").doesNotContain("Shutdown in progress");
        assertThat(output).doesNotContain("READY 10.");
    }

    private static void awaitOutput(Path log, String text, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (read(log).contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("meshctl up did not print " + text + " in time; its output:\n" + read(log));
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
