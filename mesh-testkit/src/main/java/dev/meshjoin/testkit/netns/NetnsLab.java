package dev.meshjoin.testkit.netns;

import dev.meshjoin.api.net.Ipv4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A small network of test hosts on one machine: a bridge in a namespace of its own and
 * {@code n} host namespaces, each joined to it by a veth pair and addressed from 192.0.2.0/24
 * (TEST-NET-1: host {@code i} is 192.0.2.{@code i}). Needs root and {@code ip} (iproute2).
 *
 * <p>Every name carries a random suffix, so parallel runs never collide. {@link #close()}
 * kills every process in the namespaces and deletes them (deleting the bridge namespace deletes
 * the veth peers with it); a shutdown hook does the same if the JVM exits first.
 *
 * <pre>{@code
 * Assumptions.assumeTrue(NetnsLab.unavailableReason().isEmpty(), () -> NetnsLab.unavailableReason().get());
 * try (NetnsLab lab = NetnsLab.create(3)) {
 *     assertThat(lab.host(1).ping(lab.host(2).address())).isTrue();
 * }
 * }</pre>
 */
public final class NetnsLab implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The interface name of each host's end of its veth pair. */
    public static final String HOST_INTERFACE = "eth0";

    private final String suffix;
    private final String bridgeNamespace;
    private final List<NetnsHost> hosts = new ArrayList<>();
    private final List<String> created = new ArrayList<>();
    private final Thread hook;
    private boolean closed;

    private NetnsLab(int count) {
        if (count < 1 || count > 254) {
            throw new IllegalArgumentException("a lab has 1..254 hosts, not " + count);
        }
        this.suffix = HexFormat.of().toHexDigits(RANDOM.nextInt()).substring(2);
        this.bridgeNamespace = "mj" + suffix + "-br";
        this.hook = new Thread(this::cleanup, "netns-lab-" + suffix + "-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            build(count);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Why namespaces cannot be made here, or empty when they can: not Linux, not root, no
     * {@code ip}. Tests use it in an assumption so that they are skipped with this reason.
     */
    public static Optional<String> unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.of("network namespaces need Linux");
        }
        if (!isRoot()) {
            return Optional.of("network namespaces need root (run the tests as root, e.g. in CI)");
        }
        try {
            CommandResult r = Commands.run(List.of("ip", "netns", "list"), 10);
            if (!r.ok()) {
                return Optional.of("'ip netns list' failed: " + r.output().strip());
            }
        } catch (NetnsException e) {
            return Optional.of("iproute2's 'ip' is missing (apt-get install iproute2): " + e.getMessage());
        }
        return Optional.empty();
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (Exception e) {
            return false;
        }
        return false;
    }

    /** Creates a lab of {@code count} hosts; throws {@link NetnsException} (having removed what it made) on failure. */
    public static NetnsLab create(int count) {
        return new NetnsLab(count);
    }

    private void build(int count) {
        addNamespace(bridgeNamespace);
        ip("-n", bridgeNamespace, "link", "set", "lo", "up");
        ip("-n", bridgeNamespace, "link", "add", "br0", "type", "bridge");
        ip("-n", bridgeNamespace, "link", "set", "br0", "up");
        for (int i = 1; i <= count; i++) {
            String ns = "mj" + suffix + "-h" + i;
            addNamespace(ns);
            String peer = "h" + i;
            // Both ends are created inside their namespaces: no name ever appears in the root namespace.
            ip("link", "add", HOST_INTERFACE, "netns", ns, "type", "veth", "peer", "name", peer, "netns", bridgeNamespace);
            ip("-n", bridgeNamespace, "link", "set", peer, "master", "br0");
            ip("-n", bridgeNamespace, "link", "set", peer, "up");
            Ipv4Address address = Ipv4Address.parse("192.0.2." + i);
            ip("-n", ns, "link", "set", "lo", "up");
            ip("-n", ns, "addr", "add", address + "/24", "dev", HOST_INTERFACE);
            ip("-n", ns, "link", "set", HOST_INTERFACE, "up");
            hosts.add(new NetnsHost(ns, address));
        }
    }

    private void addNamespace(String ns) {
        ip("netns", "add", ns);
        synchronized (this) {
            created.add(ns);
        }
    }

    private static void ip(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        Commands.run(cmd, 30).orThrow();
    }

    /** Host {@code i}, 1-based. */
    public NetnsHost host(int i) {
        if (i < 1 || i > hosts.size()) {
            throw new IllegalArgumentException("host " + i + " is outside 1.." + hosts.size());
        }
        return hosts.get(i - 1);
    }

    public List<NetnsHost> hosts() {
        return List.copyOf(hosts);
    }

    /** The namespace that holds the bridge. */
    public String bridgeNamespace() {
        return bridgeNamespace;
    }

    /** Every namespace of this lab, bridge first. */
    public synchronized List<String> namespaces() {
        return List.copyOf(created);
    }

    /** Kills every process in the lab's namespaces and deletes them; safe to call twice. */
    @Override
    public void close() {
        cleanup();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down and runs the hook itself
        }
    }

    private synchronized void cleanup() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> failures = new ArrayList<>();
        for (NetnsHost h : hosts) {
            try {
                h.killAll();
            } catch (RuntimeException e) {
                failures.add(h + ": " + e.getMessage());
            }
        }
        // Hosts first, the bridge last: that order leaves no half-connected veth behind.
        List<String> order = new ArrayList<>(created);
        java.util.Collections.reverse(order);
        for (String ns : order) {
            try {
                CommandResult pids = Commands.run(List.of("ip", "netns", "pids", ns), 30);
                for (String pid : pids.output().split("\\s+")) {
                    if (!pid.isBlank() && pid.strip().chars().allMatch(Character::isDigit)) {
                        ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                CommandResult del = Commands.run(List.of("ip", "netns", "del", ns), 30);
                if (!del.ok()) {
                    failures.add(ns + ": " + del.output().strip());
                }
            } catch (RuntimeException e) {
                failures.add(ns + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            System.err.println("netns lab " + suffix + ": cleanup incomplete: " + failures);
        }
    }

    @Override
    public String toString() {
        return "NetnsLab[" + suffix + ", " + hosts.size() + " hosts]";
    }
}
