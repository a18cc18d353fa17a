package dev.meshjoin.cli;

import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.api.overlay.OverlayDriver;
import dev.meshjoin.api.overlay.OverlayDriverProvider;
import dev.meshjoin.api.overlay.OverlayHealth;
import dev.meshjoin.api.overlay.OverlayListener;
import dev.meshjoin.api.overlay.OverlayState;
import dev.meshjoin.nebula.overlay.NebulaConfigRenderer;
import dev.meshjoin.nebula.overlay.NebulaOverlayDriver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The overlay of a {@link CdsTraining} rehearsal: the recorder's stand-in for the Nebula daemon,
 * which needs root and a tun device the build does not have. It renders the node's Nebula config
 * with the real renderer on every start and reload, as the Nebula driver does before it runs
 * {@code nebula}, and then reports UP at once: no daemon, no packets, nothing written. Its preflight
 * is the Nebula driver's. Never used outside the rehearsal.
 */
final class RehearsalOverlay implements OverlayDriver {
    private final List<OverlayListener> listeners = new CopyOnWriteArrayList<>();
    private volatile String preflight = "not run";
    private volatile OverlayHealth health = new OverlayHealth(OverlayState.STOPPED, "not started", Instant.now());
    private OverlayConfig config;
    private int renderedBytes;

    /**
     * The Nebula driver's own preflight, found as a real run finds it: it runs {@code nebula -version}
     * (and checks the listen port), so the archive also holds the classes that start processes and
     * read their output. Where it fails (no nebula on this machine, the port taken) the rehearsal
     * goes on without, as a dry run would; {@link #preflight()} says how it went.
     */
    @Override
    public void preflight(Endpoint listen, Path stateDirectory) {
        ClassLoader loader = RehearsalOverlay.class.getClassLoader();
        for (OverlayDriverProvider p : ServiceLoader.load(OverlayDriverProvider.class, loader)) {
            if (p.name().equals("nebula")) {
                try (OverlayDriver nebula = p.create(OverlayDriverProvider.Options.defaults())) {
                    nebula.preflight(listen, stateDirectory);
                    preflight = "passed";
                } catch (RuntimeException e) {
                    preflight = "failed: " + e.getMessage();
                }
            }
        }
    }

    /** How the Nebula driver's preflight went: passed, failed and why, or not run. */
    String preflight() {
        return preflight;
    }

    @Override
    public void start(OverlayConfig next) {
        synchronized (this) {
            if (config != null) {
                throw new IllegalStateException("the rehearsal overlay of " + config.nodeName() + " is already started");
            }
            render(next);
        }
        change(OverlayState.STARTING, "rendered nebula.yml (" + renderedBytes + " bytes); no daemon in a rehearsal");
        change(OverlayState.UP, "the rehearsal overlay reports UP without a daemon");
    }

    @Override
    public synchronized void reload(OverlayConfig next) {
        if (config == null) {
            throw new IllegalStateException("the rehearsal overlay is not started");
        }
        render(next);
    }

    /** The config this overlay runs with, or null before start and after stop. */
    synchronized OverlayConfig config() {
        return config;
    }

    private void render(OverlayConfig next) {
        Path dir = next.stateDirectory();
        NebulaConfigRenderer.PkiPaths pki = new NebulaConfigRenderer.PkiPaths(dir.resolve("ca.crt"),
                dir.resolve("host.crt"), dir.resolve("host.key"));
        renderedBytes = NebulaConfigRenderer.render(next, pki, NebulaOverlayDriver.tunDeviceFor(next)).length();
        config = next;
    }

    private void change(OverlayState state, String detail) {
        OverlayHealth before = health;
        OverlayHealth now = new OverlayHealth(state, detail, Instant.now());
        health = now;
        listeners.forEach(l -> l.onChange(before, now));
    }

    @Override
    public OverlayHealth health() {
        return health;
    }

    /** Nothing to wait for: {@link #start} reports UP before it returns. */
    @Override
    public boolean awaitUp(Duration timeout) {
        return health().state() == OverlayState.UP;
    }

    @Override
    public void addListener(OverlayListener listener) {
        listeners.add(listener);
    }

    @Override
    public void stop() {
        boolean running;
        synchronized (this) {
            running = config != null;
            config = null;
        }
        if (running) {
            change(OverlayState.STOPPED, "stopped");
        }
    }
}
