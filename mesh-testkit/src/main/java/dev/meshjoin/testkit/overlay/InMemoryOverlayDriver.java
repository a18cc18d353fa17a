package dev.meshjoin.testkit.overlay;

import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.api.overlay.OverlayDriver;
import dev.meshjoin.api.overlay.OverlayException;
import dev.meshjoin.api.overlay.OverlayHealth;
import dev.meshjoin.api.overlay.OverlayListener;
import dev.meshjoin.api.overlay.OverlayState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@link OverlayDriver} without a daemon, for tests: it records every config it is asked to
 * start or reload, and the test decides its health. By default it reports UP as soon as it is
 * started; {@link #manualHealth()} makes it wait in STARTING until the test calls
 * {@link #setState(OverlayState, String)}, and {@link #failStartWith(String)} makes the next start
 * throw as a refused config would.
 */
public final class InMemoryOverlayDriver implements OverlayDriver {
    private final List<OverlayConfig> started = new CopyOnWriteArrayList<>();
    private final List<OverlayConfig> reloaded = new CopyOnWriteArrayList<>();
    private final List<OverlayListener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean autoUp = true;
    private volatile String failStart;
    private OverlayHealth health = new OverlayHealth(OverlayState.STOPPED, "not started", Instant.now());
    private OverlayConfig current;
    private int stops;

    /** The overlay stays STARTING after start until the test sets its state. */
    public InMemoryOverlayDriver manualHealth() {
        this.autoUp = false;
        return this;
    }

    /** The next start throws an {@link OverlayException} with this reason. */
    public InMemoryOverlayDriver failStartWith(String reason) {
        this.failStart = reason;
        return this;
    }

    @Override
    public void start(OverlayConfig config) {
        synchronized (this) {
            if (current != null) {
                throw new IllegalStateException("already started with " + current);
            }
            String fail = failStart;
            if (fail != null) {
                failStart = null;
                throw new OverlayException(fail);
            }
            current = config;
            started.add(config);
        }
        setState(OverlayState.STARTING, "started");
        if (autoUp) {
            setState(OverlayState.UP, "a peer answered (in-memory overlay)");
        }
    }

    @Override
    public void reload(OverlayConfig config) {
        synchronized (this) {
            if (current == null) {
                throw new IllegalStateException("not started");
            }
            current = config;
            reloaded.add(config);
        }
    }

    /** Moves the overlay to a state, as a real daemon's events would, and tells listeners. */
    public void setState(OverlayState state, String detail) {
        OverlayHealth prev;
        OverlayHealth next;
        synchronized (this) {
            prev = health;
            next = new OverlayHealth(state, detail, Instant.now());
            health = next;
            notifyAll();
        }
        for (OverlayListener l : listeners) {
            l.onChange(prev, next);
        }
    }

    @Override
    public synchronized OverlayHealth health() {
        return health;
    }

    @Override
    public boolean awaitUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (health.state() != OverlayState.UP) {
                if (health.state() == OverlayState.FAILED) {
                    throw new OverlayException(health.detail());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    @Override
    public void addListener(OverlayListener listener) {
        listeners.add(listener);
    }

    @Override
    public void stop() {
        synchronized (this) {
            if (current == null) {
                return;
            }
            current = null;
            stops++;
        }
        setState(OverlayState.STOPPED, "stopped");
    }

    /** The config of the running overlay, if started. */
    public synchronized Optional<OverlayConfig> current() {
        return Optional.ofNullable(current);
    }

    /** Every config passed to {@link #start}, in order. */
    public List<OverlayConfig> startedConfigs() {
        return new ArrayList<>(started);
    }

    /** Every config passed to {@link #reload}, in order. */
    public List<OverlayConfig> reloadedConfigs() {
        return new ArrayList<>(reloaded);
    }

    /** Starts after the first, as a daemon's driver counts its restarts. */
    @Override
    public long restarts() {
        return Math.max(0, started.size() - 1);
    }

    /** How many times a running overlay was stopped. */
    public synchronized int stopCount() {
        return stops;
    }
}
