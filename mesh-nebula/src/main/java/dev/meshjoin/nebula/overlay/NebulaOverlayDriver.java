package dev.meshjoin.nebula.overlay;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.api.overlay.OverlayDriver;
import dev.meshjoin.api.overlay.OverlayException;
import dev.meshjoin.api.overlay.OverlayHealth;
import dev.meshjoin.api.overlay.OverlayListener;
import dev.meshjoin.api.overlay.OverlayState;
import dev.meshjoin.api.retry.RetryPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
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
 *       {@link NebulaConfigRenderer}. A config Nebula refuses makes the overlay FAILED with
 *       Nebula's own reason, without restarts: a daemon that exits before its tun device is up
 *       has its config checked with {@code nebula -test}. A reload installs a config only after
 *       {@code nebula -test} accepted it, so a refused one leaves the running daemon as it was.</li>
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
    static final int MAX_SEEN_PEERS = 8;

    final List<String> launcher;
    /** Restarts of a daemon that exits without a peer having answered: attempts = restarts + 1. */
    final RetryPolicy restartPolicy;
    private final Duration stopGrace;
    final Duration probeInterval;
    final int failedProbesBeforeDegraded;
    final PingProbe probe;
    private final NebulaSetup setup;

    final Object lock = new Object();
    final OverlayHealthBoard board = new OverlayHealthBoard(lock);
    final List<Consumer<NebulaLogEvent>> logListeners = new CopyOnWriteArrayList<>();

    // All guarded by lock.
    OverlayConfig config;
    NebulaBinary binary;
    String tunDevice;
    Path configFile;
    private NebulaSetup.Installed installed;
    private Thread supervisor;
    NebulaSupervisor.Generation current;
    boolean stopping;
    boolean restartRequested;
    boolean wake;
    /** Daemons launched by this driver, over all its starts. */
    long launches;
    final LinkedHashSet<Ipv4Address> seenPeers = new LinkedHashSet<>();
    private Thread shutdownHook;
    volatile DaemonPidFile pidFile; // not guarded: start() sets it before the supervisor runs

    private NebulaOverlayDriver(Builder b) {
        this.launcher = List.copyOf(b.launcher);
        this.restartPolicy = b.restartPolicy != null ? b.restartPolicy : RetryPolicy.exponential(b.initialBackoff,
                b.maxBackoff.compareTo(b.initialBackoff) < 0 ? b.initialBackoff : b.maxBackoff, b.maxRestarts + 1);
        this.stopGrace = b.stopGrace;
        this.probeInterval = b.probeInterval;
        this.failedProbesBeforeDegraded = b.failedProbesBeforeDegraded;
        this.setup = new NebulaSetup(b.binary, b.environment, b.tunDevice, stopGrace);
        this.probe = new PingProbe(launcher);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The tun device a node gets: {@code mj} and a hash of its name and state directory, stable across restarts. */
    public static String tunDeviceFor(OverlayConfig config) {
        return NebulaConfigFiles.tunDeviceFor(config);
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
            NebulaSupervisor.Generation g = current;
            return g != null && g.process.isAlive() ? Optional.of(g.process.pid()) : Optional.empty();
        }
    }

    /** Finds the binary and checks its version, then that nebula could listen on {@code listen} here. */
    @Override
    public void preflight(Endpoint listen) { preflight(listen, null); }

    /** As {@link #preflight(Endpoint)}, after stopping a killed run's daemon, which would hold the port. */
    @Override
    public void preflight(Endpoint listen, Path stateDirectory) {
        setup.preflight(listen, stateDirectory);
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
        NebulaSetup.Installed set;
        try {
            set = setup.forStart(config);
        } catch (OverlayException | ConfigurationException e) {
            synchronized (lock) {
                setState(OverlayState.FAILED, e.getMessage());
            }
            throw e;
        }
        pidFile = set.pidFile();
        synchronized (lock) {
            this.config = config;
            install(set);
            LOG.info("{}: starting nebula {} ({}) with tun device {}{}", config.nodeName(), binary.version(), binary.path(),
                    tunDevice, launcher.isEmpty() ? "" : " via " + String.join(" ", launcher));
            setState(OverlayState.STARTING, "starting nebula " + binary.version());
            supervisor = new Thread(new NebulaSupervisor(this), "nebula-" + config.nodeName());
            supervisor.setDaemon(true);
            shutdownHook = new Thread(() -> NebulaSupervisor.killNow(this), "nebula-" + config.nodeName() + "-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            supervisor.start();
        }
    }

    @Override
    public void reload(OverlayConfig next) {
        Objects.requireNonNull(next, "config");
        OverlayConfig previous;
        NebulaSetup.Installed running;
        synchronized (lock) {
            if (supervisor == null || stopping) {
                throw new IllegalStateException("the overlay is not running; start it first");
            }
            if (board.current().state() == OverlayState.FAILED) {
                throw new IllegalStateException("the overlay has failed (" + board.current().detail() + "); stop it and start it again");
            }
            previous = config;
            running = installed;
        }
        if (previous.equals(next)) {
            return;
        }
        boolean restart = NebulaSetup.needsRestart(previous, next);
        NebulaSetup.Installed set = setup.forReload(running, next);
        synchronized (lock) {
            config = next;
            install(set);
            NebulaSupervisor.takeNewConfig(this, restart);
        }
    }

    /** Holds lock. */
    private void install(NebulaSetup.Installed set) {
        installed = set;
        binary = set.binary();
        tunDevice = set.tunDevice();
        configFile = set.configFile();
    }

    @Override
    public long restarts() {
        synchronized (lock) {
            return Math.max(0, launches - 1);
        }
    }

    @Override
    public OverlayHealth health() {
        synchronized (lock) {
            return board.current();
        }
    }

    @Override
    public boolean awaitUp(Duration timeout) throws InterruptedException {
        synchronized (lock) {
            return board.awaitUp(timeout, () -> supervisor != null);
        }
    }

    @Override
    public void addListener(OverlayListener listener) {
        board.addListener(listener);
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
        NebulaSupervisor.Generation g;
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
            pidFile.clear();
            if (shutdownHook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException ignored) {
                    // the JVM is already shutting down; the hook runs anyway
                }
                shutdownHook = null;
            }
            if (board.current().state() != OverlayState.FAILED) {
                setState(OverlayState.STOPPED, "stopped");
            }
        }
    }

    /** Wakes the supervisor from its wait: something it watches changed. Holds lock. */
    void wakeSupervisor() {
        wake = true;
        lock.notifyAll();
    }

    /** SIGTERM, then SIGKILL after the grace period; returns once the process is gone. */
    void terminate(Process p) {
        DaemonPidFile.terminate(p.toHandle(), stopGrace);
    }

    /** Holds lock. */
    void setState(OverlayState state, String detail) {
        board.set(state, detail, config == null ? "-" : config.nodeName());
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "NebulaOverlayDriver[" + (config == null ? "not started" : config.nodeName()) + " " + board.current().state() + "]";
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
        private RetryPolicy restartPolicy;
        private Duration stopGrace = Duration.ofSeconds(5);
        private Duration probeInterval = Duration.ofSeconds(5);
        private int failedProbesBeforeDegraded = 3;
        private String tunDevice;

        private Builder() { }

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
        public Builder maxRestarts(int v) { this.maxRestarts = atLeast(v, 0, "maxRestarts"); return this; }
        /** First restart delay (doubled per attempt, with jitter); default 200 ms. */
        public Builder initialBackoff(Duration v) { this.initialBackoff = positive(v, "initialBackoff"); return this; }
        /** Largest restart delay; default 10 s. */
        public Builder maxBackoff(Duration v) { this.maxBackoff = positive(v, "maxBackoff"); return this; }
        /**
         * How a daemon that exits is restarted, instead of {@link #maxRestarts}, {@link #initialBackoff}
         * and {@link #maxBackoff}: its attempts are the restarts plus one.
         */
        public Builder restartPolicy(RetryPolicy v) { this.restartPolicy = java.util.Objects.requireNonNull(v); return this; }
        /** How long a daemon has after SIGTERM before SIGKILL; default 5 s. */
        public Builder stopGrace(Duration v) { this.stopGrace = positive(v, "stopGrace"); return this; }
        /** Time between health probes while up; default 5 s. */
        public Builder probeInterval(Duration v) { this.probeInterval = positive(v, "probeInterval"); return this; }
        /** Probe rounds without an answer before DEGRADED; default 3. */
        public Builder failedProbesBeforeDegraded(int v) { failedProbesBeforeDegraded = atLeast(v, 1, "failedProbesBeforeDegraded"); return this; }
        /** A fixed tun device name instead of {@link #tunDeviceFor}; at most 15 characters. */
        public Builder tunDevice(String v) { this.tunDevice = v; return this; }

        private static int atLeast(int v, int min, String what) {
            if (v < min) {
                throw new ConfigurationException(what + " must be at least " + min);
            }
            return v;
        }

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
