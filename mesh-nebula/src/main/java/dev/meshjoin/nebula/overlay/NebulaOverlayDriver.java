package dev.meshjoin.nebula.overlay;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.overlay.Lighthouse;
import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.api.overlay.OverlayDriver;
import dev.meshjoin.api.overlay.OverlayException;
import dev.meshjoin.api.overlay.OverlayHealth;
import dev.meshjoin.api.overlay.OverlayListener;
import dev.meshjoin.api.overlay.OverlayState;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import dev.meshjoin.nebula.cert.NebulaPem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs and supervises the {@code nebula} daemon for one node.
 *
 * <pre>{@code
 * try (NebulaOverlayDriver overlay = NebulaOverlayDriver.builder().build()) {
 *     overlay.start(config);
 *     if (!overlay.awaitUp(Duration.ofSeconds(10))) { ... }
 * }
 * }</pre>
 *
 * <h2>What it does</h2>
 * <ul>
 *   <li><b>Binary</b>: {@link NebulaBinary#locate} (explicit path, {@code NEBULA_BIN}, {@code PATH});
 *       Nebula older than {@link NebulaVersion#MINIMUM} is refused.</li>
 *   <li><b>Files</b>: the state directory (0700) holds {@code ca.crt}, {@code host.crt},
 *       {@code host.key} (0600, created with that mode) and {@code nebula.yml}, rendered by
 *       {@link NebulaConfigRenderer}. Before a config is used, {@code nebula -test} must accept it;
 *       otherwise {@link #start} fails with Nebula's own reason.</li>
 *   <li><b>Output</b>: stdout and stderr are read continuously on a thread, parsed (JSON lines)
 *       and logged to SLF4J under {@code dev.meshjoin.nebula.daemon}.</li>
 *   <li><b>Readiness</b>: STARTING until the daemon reports its tun device active <em>and</em> a
 *       peer answers a ping over the overlay: a lighthouse, or any peer the daemon completed a
 *       handshake with. A lighthouse that knows no other lighthouse has nobody to ask; it is UP
 *       once its daemon runs with its tun device active.</li>
 *   <li><b>Health while up</b>: a probe every {@link Builder#probeInterval}; after
 *       {@link Builder#failedProbesBeforeDegraded} rounds in which no peer answered the state
 *       is DEGRADED, and UP again when one does.</li>
 *   <li><b>Supervision</b>: a daemon that exits is restarted after an exponential backoff with
 *       jitter; DEGRADED meanwhile if it had been up. After {@link Builder#maxRestarts}
 *       consecutive exits without a peer answering in between, the driver gives up: FAILED with
 *       the daemon's last error.</li>
 *   <li><b>Reload</b>: {@link #reload} writes the new files and sends SIGHUP, which makes Nebula
 *       re-read its certificate, CA, lighthouses, static host map, blocklist and firewall. A
 *       change of address, listen port, lighthouse role, node name or state directory cannot be
 *       reloaded: the daemon is restarted instead.</li>
 *   <li><b>Stop</b>: SIGTERM, then SIGKILL after {@link Builder#stopGrace}. When {@link #stop}
 *       returns no daemon process is left, and with it its tun device is gone.</li>
 * </ul>
 *
 * <h2>Network namespaces</h2>
 * The daemon and the ping probe run in the network namespace of this JVM, unless a
 * {@link Builder#launcher launcher} prefix is given: {@code List.of("ip", "netns", "exec", "ns1")}
 * runs both inside namespace {@code ns1}. A launcher must exec its command (as {@code ip netns
 * exec} and {@code nsenter} do), so that the process the driver started is the daemon itself and
 * its signals reach it.
 */
public final class NebulaOverlayDriver implements OverlayDriver {
    private static final Logger LOG = LoggerFactory.getLogger(NebulaOverlayDriver.class);
    /** At most this many peers seen in handshakes are probed besides the lighthouses. */
    private static final int MAX_SEEN_PEERS = 8;

    private final Path explicitBinary;
    private final Map<String, String> environment;
    private final List<String> launcher;
    private final int maxRestarts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration stopGrace;
    private final Duration probeInterval;
    private final int failedProbesBeforeDegraded;
    private final String tunDeviceOverride;
    private final PingProbe probe;

    private final Object lock = new Object();
    private final List<OverlayListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<NebulaLogEvent>> logListeners = new CopyOnWriteArrayList<>();
    private final ThreadPoolExecutor notifier;

    // All guarded by lock.
    private OverlayHealth health = new OverlayHealth(OverlayState.STOPPED, "not started", Instant.now());
    private OverlayConfig config;
    private NebulaBinary binary;
    private String tunDevice;
    private Path configFile;
    private Thread supervisor;
    private Generation current;
    private boolean stopping;
    private boolean restartRequested;
    private boolean wake;
    private final LinkedHashSet<Ipv4Address> seenPeers = new LinkedHashSet<>();
    private Thread shutdownHook;

    private NebulaOverlayDriver(Builder b) {
        this.explicitBinary = b.binary;
        this.environment = Map.copyOf(b.environment);
        this.launcher = List.copyOf(b.launcher);
        this.maxRestarts = b.maxRestarts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.stopGrace = b.stopGrace;
        this.probeInterval = b.probeInterval;
        this.failedProbesBeforeDegraded = b.failedProbesBeforeDegraded;
        this.tunDeviceOverride = b.tunDevice;
        if (tunDeviceOverride != null) {
            NebulaConfigRenderer.checkTunName(tunDeviceOverride);
        }
        this.probe = new PingProbe(launcher);
        this.notifier = new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "nebula-overlay-listeners");
            t.setDaemon(true);
            return t;
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The tun device name the driver gives a node: {@code mj} and 10 hex digits of a hash of the
     * node name and state directory, so two nodes in one namespace never collide and a restarted
     * node gets its old name back.
     */
    public static String tunDeviceFor(OverlayConfig config) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(config.nodeName().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(config.stateDirectory().toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return "mj" + HexFormat.of().formatHex(sha.digest()).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The binary in use once started. */
    public Optional<NebulaBinary> binary() {
        synchronized (lock) {
            return Optional.ofNullable(binary);
        }
    }

    /** The tun device of the running node, once started. */
    public Optional<String> tunDevice() {
        synchronized (lock) {
            return Optional.ofNullable(tunDevice);
        }
    }

    /** The process id of the running daemon, if one runs. */
    public Optional<Long> daemonPid() {
        synchronized (lock) {
            Generation g = current;
            return g != null && g.process.isAlive() ? Optional.of(g.process.pid()) : Optional.empty();
        }
    }

    @Override
    public void start(OverlayConfig config) {
        Objects.requireNonNull(config, "config");
        synchronized (lock) {
            if (supervisor != null) {
                throw new IllegalStateException("the overlay of " + this.config.nodeName() + " is already started; stop it first");
            }
            stopping = false;
            restartRequested = false;
            seenPeers.clear();
            setState(OverlayState.STARTING, "checking the nebula binary and config");
        }
        NebulaBinary bin;
        String tun;
        Path file;
        try {
            bin = NebulaBinary.locate(explicitBinary, environment);
            tun = tunDeviceOverride != null ? tunDeviceOverride : tunDeviceFor(config);
            file = writeChecked(bin, config, tun);
        } catch (OverlayException | ConfigurationException e) {
            synchronized (lock) {
                setState(OverlayState.FAILED, e.getMessage());
            }
            throw e;
        }
        synchronized (lock) {
            this.binary = bin;
            this.config = config;
            this.tunDevice = tun;
            this.configFile = file;
            LOG.info("{}: starting nebula {} ({}) with tun device {}{}", config.nodeName(), bin.version(), bin.path(), tun,
                    launcher.isEmpty() ? "" : " via " + String.join(" ", launcher));
            setState(OverlayState.STARTING, "starting nebula " + bin.version());
            supervisor = new Thread(this::supervise, "nebula-" + config.nodeName());
            supervisor.setDaemon(true);
            shutdownHook = new Thread(this::killNow, "nebula-" + config.nodeName() + "-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            supervisor.start();
        }
    }

    /**
     * Validates the config with {@code nebula -test} in a staging directory, then writes the
     * real files. A refused config leaves the node's current files untouched.
     */
    private Path writeChecked(NebulaBinary bin, OverlayConfig config, String tun) {
        Path dir = config.stateDirectory();
        NodeFiles.prepareDirectory(dir);
        Path staging = dir.resolve("staging");
        NodeFiles.prepareDirectory(staging);
        try {
            Path stagedConfig = writeFiles(config, staging, tun);
            runConfigTest(bin, stagedConfig);
        } finally {
            deleteTree(staging);
        }
        return writeFiles(config, dir, tun);
    }

    private static Path writeFiles(OverlayConfig config, Path dir, String tun) {
        NebulaConfigRenderer.PkiPaths pki = new NebulaConfigRenderer.PkiPaths(
                dir.resolve("ca.crt").toAbsolutePath(), dir.resolve("host.crt").toAbsolutePath(), dir.resolve("host.key").toAbsolutePath());
        String yaml = NebulaConfigRenderer.render(config, pki, tun);
        byte[] raw = config.privateKey();
        byte[] keyPem = NebulaPem.encodeX25519PrivateKey(raw);
        try {
            NodeFiles.write(pki.key(), keyPem, NodeFiles.OWNER_ONLY);
        } finally {
            Arrays.fill(raw, (byte) 0);
            Arrays.fill(keyPem, (byte) 0);
        }
        NodeFiles.write(pki.cert(), config.certificatePem(), NodeFiles.WORLD_READABLE);
        NodeFiles.write(pki.ca(), config.caBundlePem(), NodeFiles.WORLD_READABLE);
        Path file = dir.resolve("nebula.yml").toAbsolutePath();
        NodeFiles.write(file, yaml.getBytes(StandardCharsets.UTF_8), NodeFiles.WORLD_READABLE);
        return file;
    }

    private static void runConfigTest(NebulaBinary bin, Path configFile) {
        Path out = null;
        try {
            out = Files.createTempFile("nebula-test", ".log");
            Process p = new ProcessBuilder(bin.path().toString(), "-test", "-config", configFile.toString())
                    .redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new OverlayException("nebula -test did not finish within 30 s");
            }
            if (p.exitValue() != 0) {
                String reason = null;
                List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
                for (String line : lines) {
                    NebulaLogEvent e = NebulaLogPump.parse(line);
                    if (e.isError()) {
                        reason = e.json() ? e.describe() : line;
                    }
                }
                if (reason == null && !lines.isEmpty()) {
                    reason = lines.get(lines.size() - 1);
                }
                throw new OverlayException("nebula refused the config: " + (reason == null ? "exit code " + p.exitValue() : reason));
            }
        } catch (IOException e) {
            throw new OverlayException("cannot run " + bin.path() + " -test: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OverlayException("interrupted while nebula checked the config", e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a leftover log of a refused config holds no secret
                }
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", dir, e.getMessage());
        }
    }

    @Override
    public void reload(OverlayConfig next) {
        Objects.requireNonNull(next, "config");
        OverlayConfig previous;
        NebulaBinary bin;
        synchronized (lock) {
            if (supervisor == null || stopping) {
                throw new IllegalStateException("the overlay is not running; start it first");
            }
            if (health.state() == OverlayState.FAILED) {
                throw new IllegalStateException("the overlay has failed (" + health.detail() + "); stop it and start it again");
            }
            previous = config;
            bin = binary;
        }
        if (previous.equals(next)) {
            return;
        }
        boolean restart = !previous.address().equals(next.address()) || previous.listenPort() != next.listenPort()
                || previous.lighthouse() != next.lighthouse() || !previous.nodeName().equals(next.nodeName())
                || !previous.stateDirectory().equals(next.stateDirectory());
        String tun = tunDeviceOverride != null ? tunDeviceOverride : tunDeviceFor(next);
        Path file = writeChecked(bin, next, tun);
        synchronized (lock) {
            config = next;
            tunDevice = tun;
            configFile = file;
            Generation g = current;
            if (restart) {
                LOG.info("{}: address, port or role changed; restarting nebula", next.nodeName());
                restartRequested = true;
                if (g != null) {
                    g.process.destroy();
                }
                wakeSupervisor();
            } else if (g != null && g.process.isAlive()) {
                LOG.info("{}: config changed; sending SIGHUP to nebula (pid {})", next.nodeName(), g.process.pid());
                signal(g.process.pid(), "HUP");
                wakeSupervisor();
            }
        }
    }

    private static void signal(long pid, String signal) {
        // Java has no API to send a signal other than TERM and KILL; kill(1) does it.
        try {
            Process p = new ProcessBuilder("kill", "-s", signal, Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new OverlayException("kill -s " + signal + " " + pid + " failed; the daemon did not reload");
            }
        } catch (IOException e) {
            throw new OverlayException("cannot run kill to send SIG" + signal + " to " + pid + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OverlayException("interrupted while signalling the daemon", e);
        }
    }

    @Override
    public OverlayHealth health() {
        synchronized (lock) {
            return health;
        }
    }

    @Override
    public boolean awaitUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                switch (health.state()) {
                    case UP:
                        return true;
                    case FAILED:
                        throw new OverlayException(health.detail());
                    case STOPPED:
                        if (supervisor == null) {
                            throw new IllegalStateException("the overlay is not started");
                        }
                        break;
                    default:
                        break;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
        }
    }

    @Override
    public void addListener(OverlayListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Adds a listener told of every line the daemon prints, on the thread that reads its output;
     * keep it quick. For operators' dashboards and for tests that watch the daemon's own events.
     */
    public void addLogListener(Consumer<NebulaLogEvent> listener) {
        logListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void stop() {
        Thread sup;
        Generation g;
        synchronized (lock) {
            if (supervisor == null) {
                return;
            }
            stopping = true;
            sup = supervisor;
            g = current;
            wakeSupervisor();
        }
        if (g != null) {
            terminate(g.process);
        }
        try {
            sup.join(stopGrace.toMillis() + 5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            // The supervisor may have launched a daemon between our read of current and stopping.
            if (current != null && current.process.isAlive()) {
                current.process.destroyForcibly();
                current.process.onExit().join();
            }
            current = null;
            supervisor = null;
            if (shutdownHook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException ignored) {
                    // the JVM is already shutting down; the hook runs anyway
                }
                shutdownHook = null;
            }
            if (health.state() != OverlayState.FAILED) {
                setState(OverlayState.STOPPED, "stopped");
            }
        }
    }

    /** SIGTERM, then SIGKILL after the grace period; returns once the process is gone. */
    private void terminate(Process p) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(stopGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("nebula (pid {}) did not stop within {} after SIGTERM; sending SIGKILL", p.pid(), stopGrace);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void killNow() {
        Generation g;
        synchronized (lock) {
            stopping = true;
            g = current;
        }
        if (g != null) {
            terminate(g.process);
        }
    }

    // ---------------------------------------------------------------- supervision

    /** One run of the daemon process and what its output said. */
    private static final class Generation {
        final Process process;
        final Thread pump;
        volatile boolean tunActive;
        volatile String lastError;

        Generation(Process process, Thread pump) {
            this.process = process;
            this.pump = pump;
        }
    }

    private void supervise() {
        int failures = 0;
        try {
            while (true) {
                Generation g;
                synchronized (lock) {
                    if (stopping) {
                        return;
                    }
                    restartRequested = false;
                    g = launch();
                    if (g.process != null) {
                        current = g;
                    }
                }
                boolean reachedUp = g.process != null && watch(g);
                boolean restart;
                synchronized (lock) {
                    if (stopping) {
                        return;
                    }
                    restart = restartRequested;
                }
                if (restart) {
                    // The old daemon must be gone before the new one binds its port and tun name.
                    terminate(g.process);
                    continue;
                }
                String reason = exitReason(g);
                failures = reachedUp ? 1 : failures + 1;
                if (failures > maxRestarts) {
                    synchronized (lock) {
                        setState(OverlayState.FAILED, reason + "; gave up after " + maxRestarts + " restarts");
                    }
                    return;
                }
                Duration delay = backoff(failures);
                synchronized (lock) {
                    OverlayState s = health.state();
                    OverlayState next = s == OverlayState.UP || s == OverlayState.DEGRADED ? OverlayState.DEGRADED : OverlayState.STARTING;
                    setState(next, reason + "; restarting in " + delay.toMillis() + " ms (attempt " + failures + " of " + maxRestarts + ")");
                    LOG.warn("{}: {}", config.nodeName(), health.detail());
                    waitForWake(delay.toNanos());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("nebula supervisor failed", e);
            synchronized (lock) {
                setState(OverlayState.FAILED, "the supervisor failed: " + e);
            }
        } finally {
            Generation g;
            synchronized (lock) {
                g = current;
            }
            if (g != null && g.process != null && g.process.isAlive()) {
                terminate(g.process);
            }
        }
    }

    /** Exponential backoff with equal jitter: half fixed, half random, so restarts do not align. */
    private Duration backoff(int attempt) {
        long base = initialBackoff.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, maxBackoff.toMillis());
        long half = Math.max(1, capped / 2);
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    /** Starts one daemon process; returns a generation without process when it could not start. Holds lock. */
    private Generation launch() {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(List.of(binary.path().toString(), "-config", configFile.toString()));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            Generation failed = new Generation(null, null);
            failed.lastError = "cannot run " + String.join(" ", cmd) + ": " + e.getMessage();
            return failed;
        }
        String node = config.nodeName();
        Generation[] holder = new Generation[1];
        InputStream out = p.getInputStream();
        Thread pump = new Thread(new NebulaLogPump(node, out, e -> onEvent(holder[0], e)), "nebula-" + node + "-log");
        pump.setDaemon(true);
        Generation g = new Generation(p, pump);
        holder[0] = g;
        pump.start();
        p.onExit().thenRun(() -> {
            synchronized (lock) {
                wakeSupervisor();
            }
        });
        LOG.debug("{}: nebula started, pid {}", node, p.pid());
        return g;
    }

    private void onEvent(Generation g, NebulaLogEvent e) {
        for (Consumer<NebulaLogEvent> l : logListeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                LOG.warn("a nebula log listener failed: {}", ex.toString());
            }
        }
        if (e.isError()) {
            g.lastError = e.json() ? e.describe() : e.message();
        }
        if (NebulaLogEvent.INTERFACE_ACTIVE.equals(e.message())) {
            g.tunActive = true;
            synchronized (lock) {
                wakeSupervisor();
            }
        } else if (NebulaLogEvent.HANDSHAKE_RECEIVED.equals(e.message())) {
            String ip = e.field("vpnIp");
            if (ip != null) {
                try {
                    Ipv4Address peer = Ipv4Address.parse(ip);
                    synchronized (lock) {
                        seenPeers.remove(peer);
                        seenPeers.add(peer);
                        while (seenPeers.size() > MAX_SEEN_PEERS) {
                            seenPeers.remove(seenPeers.iterator().next());
                        }
                        wakeSupervisor();
                    }
                } catch (ConfigurationException ignored) {
                    // not an IPv4 address: nothing to probe
                }
            }
        }
    }

    /**
     * Watches one daemon until it exits, a restart is requested or the driver stops; drives
     * STARTING → UP ⇄ DEGRADED from the daemon's events and the probe.
     *
     * @return whether a peer answered during this run
     */
    private boolean watch(Generation g) throws InterruptedException {
        boolean reachedUp = false;
        int failedRounds = 0;
        long retryNanos = TimeUnit.MILLISECONDS.toNanos(50);
        while (true) {
            List<Ipv4Address> targets;
            boolean standalone;
            synchronized (lock) {
                while (!stopping && !restartRequested && g.process.isAlive() && !g.tunActive) {
                    waitForWake(TimeUnit.SECONDS.toNanos(1));
                }
                if (stopping || restartRequested || !g.process.isAlive()) {
                    return reachedUp;
                }
                targets = probeTargets();
                standalone = targets.isEmpty() && config.lighthouse();
                if (standalone && health.state() != OverlayState.UP) {
                    setState(OverlayState.UP, "lighthouse with no other lighthouse: nebula runs with tun device " + tunDevice + " active");
                    reachedUp = true;
                }
            }
            if (standalone) {
                synchronized (lock) {
                    // Nothing to probe: wait for an exit, a stop, a reload or a first peer.
                    waitForWake(probeInterval.toNanos());
                }
                continue;
            }
            Optional<Ipv4Address> answered = probe.firstAnswer(targets);
            synchronized (lock) {
                if (stopping || restartRequested || !g.process.isAlive()) {
                    return reachedUp;
                }
                if (answered.isPresent()) {
                    failedRounds = 0;
                    reachedUp = true;
                    retryNanos = TimeUnit.MILLISECONDS.toNanos(50);
                    if (health.state() != OverlayState.UP) {
                        setState(OverlayState.UP, answered.get() + " answered over the overlay (tun " + tunDevice + ")");
                    }
                    waitForWake(probeInterval.toNanos());
                } else if (health.state() == OverlayState.UP) {
                    failedRounds++;
                    if (failedRounds >= failedProbesBeforeDegraded) {
                        setState(OverlayState.DEGRADED, "no peer answered over the overlay in " + failedRounds
                                + " probes of " + targets);
                    }
                    waitForWake(probeInterval.toNanos());
                } else {
                    // Not up yet (or degraded): probe again soon; a handshake event cuts the wait short.
                    waitForWake(retryNanos);
                    retryNanos = Math.min(retryNanos * 2, TimeUnit.SECONDS.toNanos(1));
                }
            }
        }
    }

    /** Other lighthouses first, then peers seen in handshakes. Holds lock. */
    private List<Ipv4Address> probeTargets() {
        LinkedHashSet<Ipv4Address> targets = new LinkedHashSet<>();
        Ipv4Address self = config.address().address();
        for (Lighthouse lh : config.lighthouses()) {
            if (!lh.overlayAddress().equals(self)) {
                targets.add(lh.overlayAddress());
            }
        }
        boolean alone = targets.isEmpty() && config.lighthouse();
        if (!alone) {
            // A lone lighthouse stays UP while its daemon runs; its peers come and go.
            targets.addAll(seenPeers);
        }
        targets.remove(self);
        return new ArrayList<>(targets);
    }

    private String exitReason(Generation g) {
        if (g.process == null) {
            return g.lastError;
        }
        try {
            // Let the pump read the last lines: the reason is usually the daemon's final error line.
            g.pump.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int code = g.process.exitValue();
        String how = code > 128 ? "nebula was killed by signal " + (code - 128) : "nebula exited with code " + code;
        return g.lastError == null ? how : how + " (" + g.lastError + ")";
    }

    /** Waits on lock until woken or the time passes. Holds lock. */
    private void waitForWake(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (!wake && !stopping) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(lock, left);
        }
        wake = false;
    }

    /** Holds lock. */
    private void wakeSupervisor() {
        wake = true;
        lock.notifyAll();
    }

    /** Holds lock. */
    private void setState(OverlayState state, String detail) {
        OverlayHealth prev = health;
        if (prev.state() == state && prev.detail().equals(detail)) {
            return;
        }
        OverlayHealth next = new OverlayHealth(state, detail, Instant.now());
        health = next;
        lock.notifyAll();
        if (prev.state() != state) {
            // Listeners (MeshNode, and through it meshctl) report transitions; the log keeps the bad ones.
            String node = config == null ? "-" : config.nodeName();
            if (state == OverlayState.DEGRADED || state == OverlayState.FAILED) {
                LOG.warn("{}: overlay {} -> {}: {}", node, prev.state(), state, detail);
            } else {
                LOG.debug("{}: overlay {} -> {}: {}", node, prev.state(), state, detail);
            }
        }
        for (OverlayListener l : listeners) {
            notifier.execute(() -> {
                try {
                    l.onChange(prev, next);
                } catch (RuntimeException e) {
                    LOG.warn("an overlay listener failed: {}", e.toString());
                }
            });
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "NebulaOverlayDriver[" + (config == null ? "not started" : config.nodeName()) + " " + health.state() + "]";
        }
    }

    /** Options of a {@link NebulaOverlayDriver}; every one has a default. */
    public static final class Builder {
        private Path binary;
        private Map<String, String> environment = System.getenv();
        private List<String> launcher = List.of();
        private int maxRestarts = 5;
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private Duration stopGrace = Duration.ofSeconds(5);
        private Duration probeInterval = Duration.ofSeconds(5);
        private int failedProbesBeforeDegraded = 3;
        private String tunDevice;

        private Builder() {
        }

        /** The nebula executable; default: {@code NEBULA_BIN}, then {@code PATH}. */
        public Builder binary(Path v) { this.binary = v; return this; }
        /** Where {@code NEBULA_BIN} and {@code PATH} are read; default the process environment. */
        public Builder environment(Map<String, String> v) { this.environment = Map.copyOf(v); return this; }
        /**
         * A command prefix for the daemon and the ping probe, such as
         * {@code List.of("ip", "netns", "exec", "ns1")}; it must exec its command. Default none.
         */
        public Builder launcher(List<String> v) { this.launcher = List.copyOf(v); return this; }
        /** Consecutive restarts without a peer answering before FAILED; default 5. */
        public Builder maxRestarts(int v) {
            if (v < 0) {
                throw new ConfigurationException("maxRestarts must be 0 or more");
            }
            this.maxRestarts = v;
            return this;
        }
        /** First restart delay (doubled per attempt, with jitter); default 200 ms. */
        public Builder initialBackoff(Duration v) { this.initialBackoff = positive(v, "initialBackoff"); return this; }
        /** Largest restart delay; default 10 s. */
        public Builder maxBackoff(Duration v) { this.maxBackoff = positive(v, "maxBackoff"); return this; }
        /** How long a daemon has after SIGTERM before SIGKILL; default 5 s. */
        public Builder stopGrace(Duration v) { this.stopGrace = positive(v, "stopGrace"); return this; }
        /** Time between health probes while up; default 5 s. */
        public Builder probeInterval(Duration v) { this.probeInterval = positive(v, "probeInterval"); return this; }
        /** Probe rounds without an answer before DEGRADED; default 3. */
        public Builder failedProbesBeforeDegraded(int v) {
            if (v < 1) {
                throw new ConfigurationException("failedProbesBeforeDegraded must be at least 1");
            }
            this.failedProbesBeforeDegraded = v;
            return this;
        }
        /** A fixed tun device name instead of {@link #tunDeviceFor}; at most 15 characters. */
        public Builder tunDevice(String v) { this.tunDevice = v; return this; }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new ConfigurationException(what + " must be a positive duration");
            }
            return d;
        }

        public NebulaOverlayDriver build() {
            return new NebulaOverlayDriver(this);
        }
    }
}
