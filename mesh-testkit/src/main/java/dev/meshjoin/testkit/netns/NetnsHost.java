package dev.meshjoin.testkit.netns;

import dev.meshjoin.api.net.Ipv4Address;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One test host: a network namespace with {@code lo} up and {@code eth0} on the lab's bridge at
 * {@link #address()}. Commands and processes run inside it through {@code ip netns exec}; the
 * processes started here are killed when the lab closes.
 *
 * <pre>{@code
 * NetnsHost h = lab.host(1);
 * h.exec("ping", "-c1", "-W1", lab.host(2).address().toString()).orThrow();
 * Process p = h.start(List.of("nebula", "-config", "/tmp/n1/nebula.yml"));
 * }</pre>
 */
public final class NetnsHost {
    private final String namespace;
    private final Ipv4Address address;
    private final List<Process> processes = new CopyOnWriteArrayList<>();

    NetnsHost(String namespace, Ipv4Address address) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.address = Objects.requireNonNull(address, "address");
    }

    /** The namespace's name, as {@code ip netns} knows it. */
    public String namespace() {
        return namespace;
    }

    /** The address of {@code eth0}, in 192.0.2.0/24. */
    public Ipv4Address address() {
        return address;
    }

    /** The command prefix that runs a command inside this namespace: {@code ip netns exec <ns>}. */
    public List<String> launcher() {
        return List.of("ip", "netns", "exec", namespace);
    }

    /** Runs a command inside the namespace to completion (60 s at most). */
    public CommandResult exec(String... command) {
        return exec(List.of(command));
    }

    /** Runs a command inside the namespace to completion (60 s at most). */
    public CommandResult exec(List<String> command) {
        List<String> cmd = new ArrayList<>(launcher());
        cmd.addAll(command);
        return Commands.run(cmd, 60);
    }

    /** One ping from this host; true when it was answered within a second. */
    public boolean ping(Ipv4Address target) {
        return exec("ping", "-c1", "-W1", "-n", "-q", target.toString()).ok();
    }

    /** Whether a network interface of this name exists in the namespace. */
    public boolean hasLink(String name) {
        return exec("ip", "link", "show", "dev", name).ok();
    }

    /**
     * Starts a long-running process inside the namespace, its output going to {@code log}
     * (appended). The lab kills it when it closes.
     */
    public Process start(List<String> command, Path log) {
        List<String> cmd = new ArrayList<>(launcher());
        cmd.addAll(command);
        try {
            File out = log.toFile();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new NetnsException("cannot start '" + String.join(" ", cmd) + "': " + e.getMessage(), e);
        }
    }

    /**
     * Starts a Java main class in a child JVM inside the namespace, with this JVM's class path,
     * so a test can run a whole node (driver and all) in its own network namespace.
     */
    public Process startJvm(String mainClass, List<String> args, Path log) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return start(cmd, log);
    }

    /** The ids of every process running inside the namespace (asked from outside it). */
    public List<Long> pids() {
        CommandResult r = Commands.run(List.of("ip", "netns", "pids", namespace), 30).orThrow();
        List<Long> pids = new ArrayList<>();
        for (String pid : r.output().split("\\s+")) {
            if (!pid.isBlank()) {
                pids.add(Long.parseLong(pid.strip()));
            }
        }
        return pids;
    }

    /** Kills what {@link #start} started and anything else still running in the namespace. */
    void killAll() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        CommandResult pids = Commands.run(List.of("ip", "netns", "pids", namespace), 30);
        if (pids.ok()) {
            for (String pid : pids.output().split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
        for (Process p : processes) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return namespace + "(" + address + ")";
    }
}
