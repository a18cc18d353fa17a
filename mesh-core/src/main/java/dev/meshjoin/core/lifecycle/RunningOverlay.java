package dev.meshjoin.core.lifecycle;

import dev.meshjoin.api.overlay.Lighthouse;
import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.api.overlay.OverlayDriver;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * document can lag the record by up to a minute, so a source's network part is applied only when it
 * changed since that source last reported it: the freshest change wins, and a lagging source never
 * undoes what the other applied (it reports the same change later, which then changes nothing).
 */
public final class RunningOverlay {
    /** Where a network part comes from. */
    public enum Source {
        /** The state document a lighthouse serves. */
        STATE_DOCUMENT,
        /** The network record in the store, read by the lighthouse watch. */
        NETWORK_RECORD
    }

    private static final Comparator<Lighthouse> BY_NAME = Comparator.comparing(Lighthouse::name)
            .thenComparing(l -> l.overlayAddress().toString());

    private final OverlayDriver driver;
    private final OverlayConfig base;
    private final Map<Source, Network> reported = new HashMap<>();
    private byte[] certificate;
    private Network network;
    private List<String> blocklist;
    private OverlayConfig running;
    private long reloads;

    /** A network part: the lighthouses (sorted by name) and the trusted CA bundle. */
    private record Network(List<Lighthouse> lighthouses, byte[] caBundle) {
        static Network of(Collection<Lighthouse> lighthouses, byte[] caBundle) {
            return new Network(lighthouses.stream().sorted(BY_NAME).toList(), caBundle.clone());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Network n && lighthouses.equals(n.lighthouses) && Arrays.equals(caBundle, n.caBundle);
        }

        @Override
        public int hashCode() {
            return 31 * lighthouses.hashCode() + Arrays.hashCode(caBundle);
        }
    }

    /** @param started the configuration {@code driver} runs with now */
    public RunningOverlay(OverlayDriver driver, OverlayConfig started) {
        this.driver = Objects.requireNonNull(driver, "driver");
        this.base = Objects.requireNonNull(started, "started");
        this.running = started;
        this.certificate = started.certificatePem();
        this.network = new Network(started.lighthouses(), started.caBundlePem());
        this.blocklist = sorted(started.blocklist());
        // Both sources start from what the overlay started with: a first report equal to it is no change.
        Network start = Network.of(started.lighthouses(), started.caBundlePem());
        for (Source s : Source.values()) {
            reported.put(s, start);
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
     * The network's lighthouses and CA bundle as {@code source} sees them now. Applied only when they
     * differ from what the same source reported last, or, for its first report, from what the overlay
     * started with (see the class comment).
     *
     * @return true when the overlay was reloaded
     */
    public synchronized boolean network(Source source, Collection<Lighthouse> lighthouses, byte[] caBundle) {
        Network next = Network.of(lighthouses, caBundle);
        Network before = reported.put(Objects.requireNonNull(source, "source"), next);
        if (next.equals(before)) {
            return false;
        }
        network = next;
        return render();
    }

    /** The whole configuration from the current parts; reloads when it differs from the running one. */
    private boolean render() {
        OverlayConfig next = base.toBuilder().certificatePem(certificate).caBundlePem(network.caBundle())
                .lighthouses(network.lighthouses()).blocklist(blocklist).build();
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
