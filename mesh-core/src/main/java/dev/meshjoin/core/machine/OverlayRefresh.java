package dev.meshjoin.core.machine;

import dev.meshjoin.api.overlay.Lighthouse;
import dev.meshjoin.core.lifecycle.RunningOverlay;
import dev.meshjoin.core.record.NetworkView;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a running overlay up to date with the network record: new or moved lighthouses into its
 * lighthouse list and static host map, a changed CA bundle into its trusted CAs. The change goes
 * through the overlay's one owner, {@link RunningOverlay}, which renders the whole configuration and
 * reloads it (Nebula: SIGHUP, no tunnel lost).
 */
public final class OverlayRefresh {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayRefresh.class);

    private OverlayRefresh() {
    }

    /** The overlay's view of a network's lighthouses, by name (the order the running overlay keeps). */
    static List<Lighthouse> lighthousesOf(NetworkView network) {
        return network.lighthouses().stream().map(l -> new Lighthouse(l.name(), l.overlayAddress(), l.endpoints()))
                .sorted(Comparator.comparing(Lighthouse::name)).toList();
    }

    /**
     * Tells the run's overlay the lighthouses and CA bundle of {@code network}, as the network record
     * has them; it reloads when they changed since the record's last report.
     *
     * @return true when it reloaded
     */
    public static boolean apply(JoinRun run, NetworkView network) {
        RunningOverlay running = run.overlay;
        if (running == null || !run.overlayStarted) {
            return false;
        }
        List<Lighthouse> lighthouses = lighthousesOf(network);
        boolean reloaded = running.network(RunningOverlay.Source.NETWORK_RECORD, lighthouses, network.caBundle());
        if (reloaded) {
            LOG.info("{}: overlay reloaded with the network record's {} lighthouses and CA bundle", run.config.nodeName,
                    lighthouses.size());
        }
        return reloaded;
    }
}
