package dev.meshjoin.nebula.overlay;

import dev.meshjoin.api.overlay.OverlayException;
import dev.meshjoin.api.overlay.OverlayHealth;
import dev.meshjoin.api.overlay.OverlayListener;
import dev.meshjoin.api.overlay.OverlayState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's health as others see it: the current snapshot, the transitions told to listeners
 * on a thread of their own (a slow listener never holds up the supervisor), and the wait for UP.
 * It shares the driver's lock: every method but {@link #addListener} is called holding it.
 */
final class OverlayHealthBoard {
    /** Under the driver's name, which operators' log settings know. */
    private static final Logger LOG = LoggerFactory.getLogger(NebulaOverlayDriver.class);

    private final Object lock;
    private final List<OverlayListener> listeners = new CopyOnWriteArrayList<>();
    private final ThreadPoolExecutor notifier;
    private OverlayHealth health = new OverlayHealth(OverlayState.STOPPED, "not started", Instant.now());

    OverlayHealthBoard(Object lock) {
        this.lock = lock;
        this.notifier = new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "nebula-overlay-listeners");
            t.setDaemon(true);
            return t;
        });
    }

    void addListener(OverlayListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** The current snapshot. Holds lock. */
    OverlayHealth current() {
        return health;
    }

    /** Moves to {@code state}; wakes every waiter and tells the listeners. Holds lock. */
    void set(OverlayState state, String detail, String node) {
        OverlayHealth prev = health;
        if (prev.state() == state && prev.detail().equals(detail)) {
            return;
        }
        OverlayHealth next = new OverlayHealth(state, detail, Instant.now());
        health = next;
        lock.notifyAll();
        if (prev.state() != state) {
            // Listeners (MeshNode, and through it meshctl) report transitions; the log keeps the bad ones.
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

    /**
     * Waits on lock until UP (true) or the time is up (false); FAILED throws its reason, and so
     * does STOPPED while {@code started} says no start is under way. Holds lock.
     */
    boolean awaitUp(Duration timeout, BooleanSupplier started) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            switch (health.state()) {
                case UP:
                    return true;
                case FAILED:
                    throw new OverlayException(health.detail());
                case STOPPED:
                    if (!started.getAsBoolean()) {
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
