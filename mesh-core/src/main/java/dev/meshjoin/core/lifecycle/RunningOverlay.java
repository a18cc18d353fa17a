package dev.meshjoin.core.lifecycle;

import dev.meshjoin.api.overlay.Lighthouse;
import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.api.overlay.OverlayDriver;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The one owner of a running overlay's configuration. Whatever changes it — a renewed certificate,
 * the blocklist, the lighthouses and the CA bundle — tells this class its part of the state, and it
 * renders the whole configuration from the current parts and reloads the overlay (Nebula: SIGHUP,
 * no tunnel lost). The node's address, key, role and listen port are fixed for a run, so a change
 * made here never restarts the daemon; a promotion or a new address starts a new run instead.
 *
 * <p>The lighthouses and the CA bundle have two sources on a node that may serve: the state
 * document its follower polls, and the network record its lighthouse watch reads. A lighthouse's
 * document can lag the record, so a source's report is applied only where it changed since that
 * source last reported: the freshest change wins, and a lagging source never undoes what the other
 * applied (it reports the same change later, which then changes nothing). A lighthouse is never
 * dropped by a report that lacks it: the record never removes one, so such a report is just old.
 */
public final class RunningOverlay {
    /** Where a network part comes from. */
    public enum Source {
        /** The state document a lighthouse serves. */
        STATE_DOCUMENT,
        /** The network record in the store, read by the lighthouse watch. */
        NETWORK_RECORD
    }

    private final OverlayDriver driver;
    private final OverlayConfig base;
    private final Map<Source, Map<String, Lighthouse>> reportedLighthouses = new EnumMap<>(Source.class);
    private final Map<Source, byte[]> reportedBundle = new EnumMap<>(Source.class);
    private final TreeMap<String, Lighthouse> lighthouses = new TreeMap<>();
    private byte[] certificate;
    private byte[] caBundle;
    private List<String> blocklist;
    private OverlayConfig running;
    private long reloads;

    /** @param started the configuration {@code driver} runs with now */
    public RunningOverlay(OverlayDriver driver, OverlayConfig started) {
        this.driver = Objects.requireNonNull(driver, "driver");
        this.base = Objects.requireNonNull(started, "started");
        this.running = started;
        this.certificate = started.certificatePem();
        this.caBundle = started.caBundlePem();
        this.blocklist = sorted(started.blocklist());
        started.lighthouses().forEach(l -> lighthouses.put(l.name(), l));
        // Both sources start from what the overlay started with: a first report equal to it is no change.
        for (Source s : Source.values()) {
            reportedLighthouses.put(s, Map.copyOf(lighthouses));
            reportedBundle.put(s, caBundle);
        }
    }

    /** The configuration the overlay runs with now. */
    public synchronized OverlayConfig config() {
        return running;
    }

    /** How many times this owner reloaded the overlay. */
    public synchronized long reloads() {
        return reloads;
    }

    /**
     * The node's own certificate changed (renewal, re-join with the same address).
     *
     * @return true when the overlay was reloaded
     */
    public synchronized boolean certificate(byte[] pem) {
        certificate = Objects.requireNonNull(pem, "pem").clone();
        return render();
    }

    /**
     * The revoked certificates' fingerprints, all of them (not a delta).
     *
     * @return true when the overlay was reloaded
     */
    public synchronized boolean blocklist(Collection<String> fingerprints) {
        blocklist = sorted(fingerprints);
        return render();
    }

    /**
     * The network's lighthouses and CA bundle as {@code source} sees them now. What differs from the
     * same source's last report (or, for its first report, from what the overlay started with) is
     * applied: a lighthouse added or moved, another CA bundle. A lighthouse missing from a report is
     * kept, since the network record never drops one (it marks it down) and a report without it is
     * only older than what this overlay knows.
     *
     * @return true when the overlay was reloaded
     */
    public synchronized boolean network(Source source, Collection<Lighthouse> reported, byte[] bundle) {
        Objects.requireNonNull(source, "source");
        Map<String, Lighthouse> now = new HashMap<>();
        reported.forEach(l -> now.put(l.name(), l));
        Map<String, Lighthouse> before = reportedLighthouses.put(source, Map.copyOf(now));
        now.forEach((name, l) -> {
            if (!l.equals(before.get(name))) {
                lighthouses.put(name, l);
            }
        });
        byte[] offered = Objects.requireNonNull(bundle, "bundle").clone();
        if (!Arrays.equals(offered, reportedBundle.put(source, offered))) {
            caBundle = offered;
        }
        return render();
    }

    /** The whole configuration from the current parts; reloads when it differs from the running one. */
    private boolean render() {
        OverlayConfig next = base.toBuilder().certificatePem(certificate).caBundlePem(caBundle)
                .lighthouses(List.copyOf(lighthouses.values())).blocklist(blocklist).build();
        if (next.equals(running)) {
            return false;
        }
        driver.reload(next);
        running = next;
        reloads++;
        return true;
    }

    private static List<String> sorted(Collection<String> fingerprints) {
        return List.copyOf(new TreeSet<>(fingerprints));
    }
}
