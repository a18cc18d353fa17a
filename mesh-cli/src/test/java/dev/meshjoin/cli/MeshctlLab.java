package dev.meshjoin.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.record.NetworkRecords;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.store.BootstrapStores;
import dev.meshjoin.testkit.net.SocketForwarder;
import dev.meshjoin.testkit.netns.NetnsHost;
import dev.meshjoin.testkit.netns.NetnsLab;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code meshctl up} processes in the namespaces of a {@link NetnsLab}, sharing one file store
 * under a temporary directory (or a store server in the root namespace: {@link #onEtcd},
 * {@link #onStoreServer}), with their output in one log file each: what the meshctl ITs drive.
 * Waits react to what the processes print (no fixed sleeps); close() kills everything, nebula included.
 */
final class MeshctlLab implements AutoCloseable {
    static final Pattern READY = Pattern.compile("(?m)^READY (\\d+\\.\\d+\\.\\d+\\.\\d+)");
    static final String SECRET = "it-lab-network-secret";
    static final String CA_PASSPHRASE = "it-lab-ca-passphrase";

    final NetnsLab lab;
    final Path tmp;
    private final List<Process> processes = new ArrayList<>();
    private final Map<String, String> env = new java.util.LinkedHashMap<>();
    private String store;
    private SocketForwarder rootForwarder;
    private java.util.function.Supplier<String> failureContext = () -> "";

    MeshctlLab(int hosts, Path tmp) {
        this.lab = NetnsLab.create(hosts);
        this.tmp = tmp;
        this.store = "file:" + tmp.resolve("store");
    }

    /**
     * Puts the lab's store on the etcd at {@code clientUrl} (on the root namespace's loopback), under
     * {@code keyPrefix}, reached through {@link #onStoreServer}.
     */
    MeshctlLab onEtcd(URI clientUrl, String keyPrefix) throws InterruptedException {
        return onStoreServer(clientUrl.getPort(), clientUrl.getPort(),
                "etcd://127.0.0.1:" + clientUrl.getPort() + "/" + keyPrefix);
    }

    /**
     * Puts the lab's store on a server on the root namespace's loopback port {@code rootPort}: every
     * namespace gets a forwarder from its own loopback port {@code port} through a Unix socket to it,
     * so that {@code storeUri} (naming {@code 127.0.0.1:port}) means the same store everywhere.
     */
    MeshctlLab onStoreServer(int rootPort, int port, String storeUri) throws InterruptedException {
        Path socket = tmp.resolve("store.sock");
        rootForwarder = SocketForwarder.start(SocketForwarder.unix(socket), SocketForwarder.tcp(rootPort));
        for (int i = 1; i <= lab.hosts().size(); i++) {
            String name = "store-forward-" + i;
            java(host(i), name, SocketForwarder.class.getName(), List.of("tcp:127.0.0.1:" + port, "unix:" + socket));
            await(name, Pattern.compile("(?m)^LISTENING "), 0, 30_000);
        }
        store = storeUri;
        return this;
    }

    /** Connections the namespaces made to the store server through the forwarders (0 on the file store). */
    long storeConnections() {
        return rootForwarder == null ? 0 : rootForwarder.connections();
    }

    /** Sets {@code key=value} in the environment of every node {@link #up(NetnsHost, String, boolean, String...)} starts. */
    MeshctlLab env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /** What a failed wait shows after the node's output, such as a store server's log. */
    MeshctlLab onFailureShow(java.util.function.Supplier<String> context) {
        failureContext = context;
        return this;
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
        return new MeshctlLab(hosts, dir);
    }

    /** Starts {@code meshctl up <args>} in {@code host} with {@code env}; its output goes to {@code log}. */
    Process up(NetnsHost host, String log, Map<String, String> env, List<String> args) {
        List<String> envArgs = new ArrayList<>();
        env.forEach((k, v) -> envArgs.add(k + "=" + v));
        List<String> all = new ArrayList<>(List.of("up"));
        all.addAll(args);
        return meshctl(host, log, envArgs, all);
    }

    /**
     * Starts {@code env <envArgs> java ... Meshctl <args>} in {@code host}: {@code envArgs} as
     * env(1) takes them ({@code K=V}, {@code -u NAME}); its output goes to {@code log}.
     */
    Process meshctl(NetnsHost host, String log, List<String> envArgs, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("env"));
        cmd.addAll(envArgs);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.meshjoin.cli.Meshctl"));
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

    NetnsHost host(int i) {
        return lab.host(i);
    }

    /** The store URI, the same in every namespace: a file store under the lab's directory, or etcd. */
    String store() {
        return store;
    }

    /**
     * Starts {@code meshctl up} for network {@code it}; a public node gets {@code host:4242} as public
     * endpoint and the CA passphrase (it may serve).
     */
    Process up(NetnsHost host, String name, boolean publicNode, String... extra) throws IOException {
        Map<String, String> vars = new java.util.LinkedHashMap<>();
        vars.put("MESH_SECRET", SECRET);
        if (publicNode) {
            vars.put("MESH_CA_PASSPHRASE", CA_PASSPHRASE);
        }
        vars.putAll(env);
        List<String> args = new ArrayList<>(List.of("--name", name, "--store", store(), "--state-dir",
                tmp.resolve(name).toString(), "--network", "it"));
        if (publicNode) {
            args.addAll(List.of("--public-endpoint", host.address() + ":4242"));
        }
        args.addAll(List.of(extra));
        return up(host, name, vars, args);
    }

    Path log(String name) {
        return tmp.resolve(name + ".log");
    }

    String output(String name) {
        try {
            return Files.exists(log(name)) ? Files.readString(log(name), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    Matcher await(String name, Pattern pattern, int fromIndex, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            String out = output(name);
            Matcher m = pattern.matcher(out);
            if (m.find(Math.min(fromIndex, out.length()))) {
                return m;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " did not print " + pattern + " in time; its output:\n" + output(name)
                + failureContext.get());
    }

    /** The overlay address of the node's next READY line after {@code fromIndex} of its output. */
    Ipv4Address ready(String name, int fromIndex) throws InterruptedException {
        return Ipv4Address.parse(await(name, READY, fromIndex, 120_000).group(1));
    }

    Ipv4Address ready(String name) throws InterruptedException {
        return ready(name, 0);
    }

    static boolean pingWithin(NetnsHost from, Ipv4Address to, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (from.ping(to)) {
                return true;
            }
        }
        return false;
    }

    NetworkView record() {
        try (BootstrapStore s = BootstrapStores.open(store())) {
            return NetworkRecords.read(s, StoreKeys.of("it")).orElseThrow();
        }
    }

    NetworkView awaitRecord(Predicate<NetworkView> condition, long timeoutMillis, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        NetworkView last = record();
        while (System.nanoTime() < deadline) {
            last = record();
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(what + " did not happen in time; the record: " + last.record());
    }

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
        if (rootForwarder != null) {
            rootForwarder.close();
        }
    }
}
