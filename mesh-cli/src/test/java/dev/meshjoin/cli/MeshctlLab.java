package dev.meshjoin.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshjoin.testkit.netns.NetnsHost;
import dev.meshjoin.testkit.netns.NetnsLab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code meshctl up} processes in network namespaces for integration tests: starts them with the
 * test's class path, keeps each one's output in a log, waits for what they print (no fixed
 * sleeps) and kills everything, nebula included, at the end.
 */
final class MeshctlLab implements AutoCloseable {
    static final Pattern READY = Pattern.compile("(?m)^READY (\\d+\\.\\d+\\.\\d+\\.\\d+)$");

    final NetnsLab lab;
    private final Path dir;
    private final List<Process> processes = new ArrayList<>();

    private MeshctlLab(NetnsLab lab, Path dir) {
        this.lab = lab;
        this.dir = dir;
    }

    /** Skips the test with the reason when namespaces or nebula are not available. */
    static void assumeRootAndNebula() {
        assumeTrue(NetnsLab.unavailableReason().isEmpty(), () -> "skipped: " + NetnsLab.unavailableReason().orElse(""));
        assumeTrue(onPath("nebula"), "skipped: the nebula binary is not on PATH (apt-get install nebula)");
    }

    static boolean onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, name))) {
                return true;
            }
        }
        return false;
    }

    static MeshctlLab create(int hosts, Path dir) {
        return new MeshctlLab(NetnsLab.create(hosts), dir);
    }

    NetnsHost host(int i) {
        return lab.host(i);
    }

    /** Starts {@code meshctl up <args>} in {@code host} with {@code env}; its output goes to {@code log}. */
    Process up(NetnsHost host, String log, Map<String, String> env, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("env"));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.meshjoin.cli.Meshctl", "up"));
        cmd.addAll(args);
        return track(host.start(cmd, log(log)));
    }

    /** Starts a main class of the test class path in {@code host}. */
    Process java(NetnsHost host, String log, String mainClass, List<String> args) {
        return track(host.startJvm(mainClass, args, log(log)));
    }

    /** Starts any command in {@code host}. */
    Process run(NetnsHost host, String log, List<String> command) {
        return track(host.start(command, log(log)));
    }

    private Process track(Process p) {
        processes.add(p);
        return p;
    }

    Path log(String name) {
        return dir.resolve(name + ".log");
    }

    String output(String name) {
        try {
            return Files.exists(log(name)) ? Files.readString(log(name), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits for {@code pattern} in a log from {@code fromIndex} on. */
    Matcher await(String name, Pattern pattern, int fromIndex, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            String out = output(name);
            Matcher m = pattern.matcher(out);
            if (m.find(Math.min(fromIndex, out.length()))) {
                return m;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(name + " did not print " + pattern + " in time; its output:\n" + output(name));
    }

    /** The pid of the nebula daemon running in {@code host}, if any. */
    static Optional<Long> nebulaPid(NetnsHost host) {
        for (long pid : host.pids()) {
            Optional<String> cmd = ProcessHandle.of(pid).flatMap(h -> h.info().command());
            if (cmd.isPresent() && cmd.get().endsWith("/nebula")) {
                return Optional.of(pid);
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        processes.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
        lab.close();
    }
}
