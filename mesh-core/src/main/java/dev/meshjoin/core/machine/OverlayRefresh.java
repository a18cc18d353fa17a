package dev.meshjoin.core.machine;

import dev.meshjoin.api.overlay.Lighthouse;
import dev.meshjoin.core.lifecycle.RunningOverlay;
import dev.meshjoin.core.record.NetworkView;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a running overlay up to date with the network record: new or moved lighthouses into its
 * lighthouse list and static host map, a changed CA bundle into its trusted CAs, applied with the
 * driver's reload (Nebula: SIGHUP, no tunnel lost).
 */
public final class OverlayRefresh {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayRefresh.class);

    private OverlayRefresh() {
    }

    /** The overlay's view of a network's lighthouses. */
    static List<Lighthouse> lighthousesOf(NetworkView network) {
        return network.lighthouses().stream().map(l -> new Lighthouse(l.name(), l.overlayAddress(), l.endpoints())).toList();
    }

    /**
     * Reloads the run's overlay when {@code network} has other lighthouses or another CA bundle than
     * the overlay runs with.
     *
     * @return true when it reloaded
     */
    public static boolean apply(JoinRun run, NetworkView network) {
        RunningOverlay running = run.overlay;
        if (running == null || !run.overlayStarted) {
            return false;
        }
        List<Lighthouse> lighthouses = lighthousesOf(network);
        byte[] bundle = network.caBundle();
        boolean[] newBundle = new boolean[1];
        boolean reloaded = running.update(current -> {
            if (lighthouses.equals(current.lighthouses()) && Arrays.equals(bundle, current.caBundlePem())) {
                return null;
            }
            newBundle[0] = !Arrays.equals(bundle, current.caBundlePem());
            return current.toBuilder().lighthouses(lighthouses).caBundlePem(bundle).build();
        });
        if (reloaded) {
            LOG.info("{}: overlay reloaded with {} lighthouses and {} CA bundle", run.config.nodeName, lighthouses.size(),
                    newBundle[0] ? "a new" : "the same");
        }
        return reloaded;
    }
}
