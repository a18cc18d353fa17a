package dev.meshjoin.api.overlay;

import java.time.Duration;

/**
 * Runs the overlay for one node: starts it from an {@link OverlayConfig}, reloads it when the
 * config changes, reports health and stops it. A driver owns a process or threads, so it is
 * {@link AutoCloseable}; {@link #close()} stops the overlay and releases everything.
 *
 * <p>Health means a peer answered over the overlay, not that an interface exists.
 *
 * <pre>{@code
 * try (OverlayDriver overlay = new NebulaOverlayDriver(...)) {
 *     overlay.start(config);
 *     overlay.awaitUp(Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public interface OverlayDriver extends AutoCloseable {

    /**
     * Starts the overlay and returns at once; progress is reported through {@link #health()} and
     * listeners.
     *
     * @throws OverlayException when it cannot even begin (binary missing or too old); a config the
     *         overlay refuses may instead show as FAILED with the reason, which {@link #awaitUp} throws
     * @throws IllegalStateException when already started
     */
    void start(OverlayConfig config);

    /** Applies a new config to the running overlay (new lighthouse, renewed certificate). */
    void reload(OverlayConfig config);

    /** The current health snapshot. */
    OverlayHealth health();

    /**
     * Waits until the overlay is {@link OverlayState#UP}.
     *
     * @return true when up, false when the timeout passed first
     * @throws OverlayException when the overlay reached {@link OverlayState#FAILED}
     */
    boolean awaitUp(Duration timeout) throws InterruptedException;

    /** Adds a listener told of every later state change. */
    void addListener(OverlayListener listener);

    /** Stops the overlay; a no-op when stopped. */
    void stop();

    /**
     * Checks that this overlay can run on this host, before the node writes anything to the store:
     * for Nebula, that the binary is found and new enough and that the listen port can be bound.
     * The default checks nothing.
     *
     * @param listen where this node's overlay will listen, when it may found or serve as lighthouse;
     *     null for a node that only joins
     * @throws OverlayException when the overlay cannot run here (the node falls back)
     * @throws dev.meshjoin.api.ConfigurationException when the configuration cannot work here, such as
     *     a listen address that is not on this host
     */
    default void preflight(dev.meshjoin.api.net.Endpoint listen) {
    }

    /**
     * {@link #preflight(dev.meshjoin.api.net.Endpoint)} for a node whose overlay will keep its files in
     * {@code stateDirectory} (the {@link OverlayConfig#stateDirectory()} it will start with): a driver
     * may first clean up after a process of this node that was killed, whose daemon would still hold
     * the listen port (Nebula stops that orphan). The default is {@code preflight(listen)}.
     */
    default void preflight(dev.meshjoin.api.net.Endpoint listen, java.nio.file.Path stateDirectory) {
        preflight(listen);
    }

    /**
     * How many times this driver started its daemon again after the first start: the supervisor's
     * restarts after an exit, restarts for a change a reload cannot apply, and starts after a stop.
     * Monitoring reads it; the default, for drivers without a daemon, is 0.
     */
    default long restarts() {
        return 0;
    }

    @Override
    default void close() {
        stop();
    }
}
