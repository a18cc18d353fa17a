package dev.meshjoin.nebula.overlay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's pid, kept beside its config ({@code nebula.pid}), so that a restart after the
 * process that ran it was killed ({@code kill -9}, an OOM kill) finds the orphan and stops it:
 * the orphan still holds the node's tun device and UDP port, and a new daemon would fail on
 * "device busy" until its restarts ran out. A process counts as the orphan only when its command
 * line runs nebula with this very config file, so a pid reused by another program is never touched.
 */
final class DaemonPidFile {
    static final String NAME = "nebula.pid";
    private static final Logger LOG = LoggerFactory.getLogger(DaemonPidFile.class);
    private static final Path PROC = Path.of("/proc");

    private final Path file;
    private final Path configFile;

    DaemonPidFile(Path configFile) {
        this.configFile = configFile.toAbsolutePath().normalize();
        this.file = this.configFile.resolveSibling(NAME);
    }

    /**
     * {@link #stopOrphans} for the config a driver writes in an overlay state directory (none when
     * {@code stateDirectory} is null): before a preflight check binds the port such an orphan holds.
     */
    static void stopOrphansIn(Path stateDirectory, Duration grace) {
        if (stateDirectory != null) {
            new DaemonPidFile(stateDirectory.resolve(NebulaConfigFiles.CONFIG_FILE)).stopOrphans(grace);
        }
    }

    /**
     * Stops every nebula still running on this config (the recorded pid, and any other the process
     * table shows), SIGTERM first, SIGKILL after {@code grace}; returns their pids.
     */
    List<Long> stopOrphans(Duration grace) {
        Set<Long> candidates = new LinkedHashSet<>();
        recorded().ifPresent(candidates::add);
        candidates.addAll(scan());
        List<Long> stopped = new ArrayList<>();
        for (long pid : candidates) {
            // A daemon this JVM started is this node's own, not an orphan (a preflight may run while it does).
            // The command line first: it rules out nearly every process with one read.
            if (pid == ProcessHandle.current().pid() || !runsOurConfig(pid) || ownChild(pid)) {
                continue;
            }
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isEmpty()) {
                continue;
            }
            LOG.warn("nebula (pid {}) is still running on {}, left by a process that was killed; stopping it", pid,
                    configFile);
            terminate(h.get(), grace);
            stopped.add(pid);
        }
        clear();
        return stopped;
    }

    /** SIGTERM, then SIGKILL after {@code grace}; returns once the process is gone (or 10 s after SIGKILL). */
    static void terminate(ProcessHandle h, Duration grace) {
        if (!h.isAlive()) {
            return;
        }
        h.destroy();
        try {
            try {
                h.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException timeout) {
                LOG.warn("nebula (pid {}) did not stop within {} after SIGTERM; sending SIGKILL", h.pid(), grace);
                h.destroyForcibly();
                h.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (TimeoutException | ExecutionException e) {
            LOG.warn("nebula (pid {}) did not stop after SIGKILL", h.pid());
        } catch (InterruptedException e) {
            h.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static boolean ownChild(long pid) {
        return ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(p -> p.pid() == ProcessHandle.current().pid())
                .orElse(false);
    }

    /** Records the running daemon's pid. */
    void record(long pid) {
        try {
            Path tmp = file.resolveSibling("." + NAME + ".tmp");
            Files.writeString(tmp, pid + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot write {} ({}); an orphan of this daemon would not be found by its pid", file, e.getMessage());
        }
    }

    /** Forgets the pid once the daemon is gone. */
    void clear() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a stale pid file is checked against the command line before anything is done with it
        }
    }

    Optional<Long> recorded() {
        try {
            return Optional.of(Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code pid} runs {@code nebula -config <our config>}. */
    boolean runsOurConfig(long pid) {
        List<String> args = commandLine(pid);
        if (args.isEmpty() || !Path.of(args.get(0)).getFileName().toString().startsWith("nebula")) {
            return false;
        }
        for (int i = 1; i + 1 < args.size(); i++) {
            if (args.get(i).equals("-config") && Path.of(args.get(i + 1)).toAbsolutePath().normalize().equals(configFile)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
            String all = new String(raw, StandardCharsets.UTF_8);
            return all.isEmpty() ? List.of() : Arrays.asList(all.split("\0"));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** Pids of nebula processes on this host (Linux {@code /proc}); empty elsewhere. */
    private List<Long> scan() {
        List<Long> out = new ArrayList<>();
        if (!Files.isDirectory(PROC)) {
            return out;
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : procs) {
                out.add(Long.parseLong(p.getFileName().toString()));
            }
        } catch (IOException | RuntimeException e) {
            return out;
        }
        return out;
    }
}
