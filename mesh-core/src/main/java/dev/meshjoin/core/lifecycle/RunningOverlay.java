package dev.meshjoin.core.lifecycle;

import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.api.overlay.OverlayDriver;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The configuration a running overlay was last started or reloaded with, shared by everything that
 * reloads it: the state follower (lighthouses, blocklist, renewed certificate) and the lighthouse
 * watch (lighthouses, CA bundle). Each change starts from the current configuration, one at a time,
 * so that no reload undoes another's (a stale copy would bring back a revoked peer or an expired
 * certificate).
 */
public final class RunningOverlay {
    private final OverlayDriver driver;
    private OverlayConfig config;

    /** @param started the configuration {@code driver} runs with now */
    public RunningOverlay(OverlayDriver driver, OverlayConfig started) {
        this.driver = Objects.requireNonNull(driver, "driver");
        this.config = Objects.requireNonNull(started, "started");
    }

    /** The configuration the overlay runs with now. */
    public synchronized OverlayConfig config() {
        return config;
    }

    /**
     * Reloads the overlay with {@code change} applied to its current configuration, unless that is
     * the same configuration.
     *
     * @return true when the overlay was reloaded
     */
    public synchronized boolean update(UnaryOperator<OverlayConfig> change) {
        OverlayConfig next = change.apply(config);
        if (next == null || next.equals(config)) {
            return false;
        }
        driver.reload(next);
        config = next;
        return true;
    }
}
