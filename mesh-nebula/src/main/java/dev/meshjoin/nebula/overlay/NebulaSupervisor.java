package dev.meshjoin.nebula.overlay;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.overlay.Lighthouse;
import dev.meshjoin.api.overlay.OverlayState;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's second job: run the daemon, read its output, probe peers over the overlay, drive
 * STARTING → UP ⇄ DEGRADED, and restart a daemon that exits, backing off by the driver's restart
 * {@link dev.meshjoin.api.retry.RetryPolicy} until it gives up (FAILED).
 * It shares the driver's lock and state.
 */
final class NebulaSupervisor implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(NebulaSupervisor.class);

    private final NebulaOverlayDriver d;

    NebulaSupervisor(NebulaOverlayDriver driver) {
        this.d = driver;
    }

    /** One run of the daemon process and what its output said. */
    static final class Generation {
        final Process process;
        final Thread pump;
        volatile boolean tunActive;
        volatile String lastError;

        Generation(Process process, Thread pump) {
            this.process = process;
            this.pump = pump;
        }
    }

    @Override
    public void run() {
        int failures = 0;
        boolean configChecked = false;
        try {
            while (true) {
                Generation g;
                synchronized (d.lock) {
                    if (d.stopping) {
                        return;
                    }
                    d.restartRequested = false;
                    g = launch();
                    if (g.process != null) {
                        d.launches++;
                        d.current = g;
                    }
                }
                boolean reachedUp = g.process != null && watch(g);
                boolean restart;
                synchronized (d.lock) {
                    if (d.stopping) {
                        return;
                    }
                    restart = d.restartRequested;
                }
                if (restart) {
                    // The old daemon must be gone before the new one binds its port and tun name.
                    d.terminate(g.process);
                    continue;
                }
                String reason = exitReason(g);
                if (!configChecked && g.process != null && !g.tunActive) {
                    // Exited before its tun device came up: a refused config is final, not worth restarts.
                    configChecked = true;
                    Optional<String> refused = refusal();
                    if (refused.isPresent()) {
                        synchronized (d.lock) {
                            d.setState(OverlayState.FAILED, refused.get());
                        }
                        return;
                    }
                }
                failures = reachedUp ? 1 : failures + 1;
                if (failures >= d.restartPolicy.maxAttempts()) {
                    synchronized (d.lock) {
                        d.setState(OverlayState.FAILED, reason + "; gave up after " + (d.restartPolicy.maxAttempts() - 1) + " restarts");
                    }
                    return;
                }
                Duration delay = d.restartPolicy.delayAfter(failures);
                synchronized (d.lock) {
                    OverlayState s = d.board.current().state();
                    OverlayState next = s == OverlayState.UP || s == OverlayState.DEGRADED ? OverlayState.DEGRADED : OverlayState.STARTING;
                    d.setState(next, reason + "; restarting in " + delay.toMillis() + " ms (attempt " + failures + " of " + (d.restartPolicy.maxAttempts() - 1) + ")");
                    LOG.warn("{}: {}", d.config.nodeName(), d.board.current().detail());
                    waitForWake(delay.toNanos());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("nebula supervisor failed", e);
            synchronized (d.lock) {
                d.setState(OverlayState.FAILED, "the supervisor failed: " + e);
            }
        } finally {
            Generation g;
            synchronized (d.lock) {
                g = d.current;
            }
            if (g != null && g.process != null && g.process.isAlive()) {
                d.terminate(g.process);
            }
        }
    }

    /** Makes the running daemon take the config just installed: SIGHUP, or a new daemon. Holds the driver's lock. */
    static void takeNewConfig(NebulaOverlayDriver d, boolean restart) {
        Generation g = d.current;
        if (restart) {
            LOG.info("{}: address, port or role changed; restarting nebula", d.config.nodeName());
            d.restartRequested = true;
            if (g != null) {
                g.process.destroy();
            }
            d.wakeSupervisor();
        } else if (g != null && g.process.isAlive()) {
            LOG.info("{}: config changed; sending SIGHUP to nebula (pid {})", d.config.nodeName(), g.process.pid());
            NebulaConfigFiles.signal(g.process.pid(), "HUP");
            d.wakeSupervisor();
        }
    }

    /** On the JVM's shutdown: ends the daemon, so that no nebula outlives the process that started it. */
    static void killNow(NebulaOverlayDriver d) {
        Generation g;
        synchronized (d.lock) {
            d.stopping = true;
            g = d.current;
        }
        if (g != null) {
            d.terminate(g.process);
        }
    }

    /** Waits on the driver's lock until woken or the time passes. Holds the driver's lock. */
    private void waitForWake(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (!d.wake && !d.stopping) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(d.lock, left);
        }
        d.wake = false;
    }

    /** Nebula's reason to refuse the installed config; empty when it accepts it or cannot say. */
    private Optional<String> refusal() {
        NebulaBinary bin;
        java.nio.file.Path file;
        synchronized (d.lock) {
            bin = d.binary;
            file = d.configFile;
        }
        try {
            return NebulaConfigFiles.refusal(bin, file);
        } catch (dev.meshjoin.api.overlay.OverlayException e) {
            LOG.warn("{}: {}; restarting nebula as for any other exit", d.config.nodeName(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Starts one daemon process; returns a generation without process when it could not start. Holds the driver's lock. */
    private Generation launch() {
        List<String> cmd = new ArrayList<>(d.launcher);
        cmd.addAll(List.of(d.binary.path().toString(), "-config", d.configFile.toString()));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            Generation failed = new Generation(null, null);
            failed.lastError = "cannot run " + String.join(" ", cmd) + ": " + e.getMessage();
            return failed;
        }
        String node = d.config.nodeName();
        Generation[] holder = new Generation[1];
        InputStream out = p.getInputStream();
        Thread pump = new Thread(new NebulaLogPump(node, out, e -> onEvent(holder[0], e)), "nebula-" + node + "-log");
        pump.setDaemon(true);
        Generation g = new Generation(p, pump);
        holder[0] = g;
        pump.start();
        p.onExit().thenRun(() -> {
            synchronized (d.lock) {
                d.wakeSupervisor();
            }
        });
        d.pidFile.record(p.pid());
        LOG.debug("{}: nebula started, pid {}", node, p.pid());
        return g;
    }

    private void onEvent(Generation g, NebulaLogEvent e) {
        for (Consumer<NebulaLogEvent> l : d.logListeners) {
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
            synchronized (d.lock) {
                d.wakeSupervisor();
            }
        } else if (NebulaLogEvent.HANDSHAKE_RECEIVED.equals(e.message())) {
            String ip = e.field("vpnIp");
            if (ip != null) {
                try {
                    Ipv4Address peer = Ipv4Address.parse(ip);
                    synchronized (d.lock) {
                        d.seenPeers.remove(peer);
                        d.seenPeers.add(peer);
                        while (d.seenPeers.size() > d.MAX_SEEN_PEERS) {
                            d.seenPeers.remove(d.seenPeers.iterator().next());
                        }
                        // A new peer is worth a probe only while no peer answers; once UP, the next
                        // round comes soon enough (and a probe now would compete with the node's first poll).
                        if (d.board.current().state() != OverlayState.UP) {
                            d.wakeSupervisor();
                        }
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
            synchronized (d.lock) {
                while (!d.stopping && !d.restartRequested && g.process.isAlive() && !g.tunActive) {
                    waitForWake(TimeUnit.SECONDS.toNanos(1));
                }
                if (d.stopping || d.restartRequested || !g.process.isAlive()) {
                    return reachedUp;
                }
                targets = probeTargets();
                standalone = targets.isEmpty() && d.config.lighthouse();
                if (standalone && d.board.current().state() != OverlayState.UP) {
                    d.setState(OverlayState.UP, "lighthouse with no other lighthouse: nebula runs with tun device " + d.tunDevice + " active");
                    reachedUp = true;
                }
            }
            if (standalone) {
                synchronized (d.lock) {
                    // Nothing to probe: wait for an exit, a stop, a reload or a first peer.
                    waitForWake(d.probeInterval.toNanos());
                }
                continue;
            }
            Optional<Ipv4Address> answered = d.probe.firstAnswer(targets);
            synchronized (d.lock) {
                if (d.stopping || d.restartRequested || !g.process.isAlive()) {
                    return reachedUp;
                }
                if (answered.isPresent()) {
                    failedRounds = 0;
                    reachedUp = true;
                    retryNanos = TimeUnit.MILLISECONDS.toNanos(50);
                    if (d.board.current().state() != OverlayState.UP) {
                        d.setState(OverlayState.UP, answered.get() + " answered over the overlay (tun " + d.tunDevice + ")");
                    }
                    waitForWake(d.probeInterval.toNanos());
                } else if (d.board.current().state() == OverlayState.UP) {
                    failedRounds++;
                    if (failedRounds >= d.failedProbesBeforeDegraded) {
                        d.setState(OverlayState.DEGRADED, "no peer answered over the overlay in " + failedRounds
                                + " probes of " + targets);
                    }
                    waitForWake(d.probeInterval.toNanos());
                } else {
                    // Not up yet (or degraded): probe again soon; a handshake event cuts the wait short.
                    waitForWake(retryNanos);
                    retryNanos = Math.min(retryNanos * 2, TimeUnit.SECONDS.toNanos(1));
                }
            }
        }
    }

    /** Other lighthouses first, then peers seen in handshakes. Holds the driver's lock. */
    private List<Ipv4Address> probeTargets() {
        LinkedHashSet<Ipv4Address> targets = new LinkedHashSet<>();
        Ipv4Address self = d.config.address().address();
        for (Lighthouse lh : d.config.lighthouses()) {
            if (!lh.overlayAddress().equals(self)) {
                targets.add(lh.overlayAddress());
            }
        }
        boolean alone = targets.isEmpty() && d.config.lighthouse();
        if (!alone) {
            // A lone lighthouse stays UP while its daemon runs; its peers come and go.
            targets.addAll(d.seenPeers);
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
}
