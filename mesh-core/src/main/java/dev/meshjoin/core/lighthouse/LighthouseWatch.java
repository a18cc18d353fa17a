package dev.meshjoin.core.lighthouse;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.election.FounderElection;
import dev.meshjoin.core.record.NetworkRecords;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.core.record.StoreKeys;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a network's lighthouses at strength, from a node that may serve (it has a public endpoint
 * and the CA passphrase), whether it is a lighthouse already or not. Every interval it reads the
 * network record, probes the other lighthouses' signing services, marks one down in the record when
 * it has not answered for the grace time (and live again when it answers), and, while fewer than the
 * target are live and this node is not a lighthouse, promotes this node. Promotions happen one at a
 * time: the node must first win a claim with a time-to-live at {@link StoreKeys#promotionClaim()}
 * (the lease election the founder election uses), and then still find the network short.
 *
 * <p>In steady state it only reads: it writes the record when a lighthouse goes down or comes back,
 * and the claim when this node promotes itself.
 *
 * <pre>{@code
 * try (LighthouseWatch watch = new LighthouseWatch(store, keys, "worker-3", clock, Settings.DEFAULTS,
 *         Probe.tcp(Duration.ofSeconds(2)), host, joined)) {
 *     watch.start();
 * }
 * }</pre>
 */
public final class LighthouseWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LighthouseWatch.class);

    /**
     * How the watch runs.
     *
     * @param interval between two rounds; also how soon a new lighthouse reaches this node's overlay
     * @param grace a lighthouse not seen for this long is marked down
     * @param target how many live lighthouses the network should have
     * @param promotionLease how long a promotion claim lives unless released
     */
    public record Settings(Duration interval, Duration grace, int target, Duration promotionLease) {
        /** Every 15 s, down after 10 minutes, two lighthouses, claims of 2 minutes. */
        public static final Settings DEFAULTS = new Settings(Duration.ofSeconds(15), Duration.ofMinutes(10), 2,
                Duration.ofMinutes(2));

        public Settings {
            for (Duration d : List.of(interval, grace, promotionLease)) {
                if (d.isNegative() || d.isZero()) {
                    throw new ConfigurationException("lighthouse watch: durations must be positive, got " + d);
                }
            }
            if (target < 1) {
                throw new ConfigurationException("lighthouse watch: the target number of lighthouses must be at least 1,"
                        + " got " + target);
            }
        }
    }

    /** Tells whether a lighthouse answers now. */
    @FunctionalInterface
    public interface Probe {
        boolean answers(NetworkView.LighthouseView lighthouse);

        /** A TCP connection to the lighthouse's signing service, within {@code timeout}. */
        static Probe tcp(Duration timeout) {
            return lh -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(lh.signingEndpoint().host(), lh.signingEndpoint().port()),
                            (int) Math.max(1, timeout.toMillis()));
                    return true;
                } catch (IOException | RuntimeException e) {
                    return false;
                }
            };
        }
    }

    /** The node the watch works for. */
    public interface Host {
        /**
         * The network record changed since the last round (lighthouses, CA bundle, down marks). When
         * this throws, the next round offers the same change again, so it must be safe to repeat.
         */
        void networkChanged(NetworkView before, NetworkView now);

        /**
         * Makes this node a lighthouse of {@code network}; called while holding the promotion claim.
         *
         * @return true when the node now serves as lighthouse
         */
        boolean promote(NetworkView network);
    }

    /** What the promotion part of a round did. */
    public enum Promotion {
        /** Nothing to do: enough live lighthouses, this node is one, or it may not serve. */
        NOT_NEEDED,
        /** Short of lighthouses, but another node holds the claim. */
        CLAIMED_ELSEWHERE,
        /** This node won the claim and became a lighthouse. */
        PROMOTED,
        /** This node won the claim but its promotion failed. */
        FAILED
    }

    /**
     * One round's findings.
     *
     * @param network the record after the round's marks
     * @param markedDown lighthouses this round marked down
     * @param markedUp lighthouses this round marked live again
     * @param promotion what the promotion part did
     */
    public record Round(NetworkView network, List<String> markedDown, List<String> markedUp, Promotion promotion) {
    }

    private final BootstrapStore store;
    private final StoreKeys keys;
    private final String node;
    private final Clock clock;
    private final Settings settings;
    private final Probe probe;
    private final Host host;
    private final FounderElection promotions;
    private final Instant watchingSince;
    private final Map<String, Instant> lastSeen = new ConcurrentHashMap<>();
    private volatile NetworkView last;
    private volatile boolean maySERVE = true;
    private ScheduledExecutorService timer;

    /** @param joined the record this node joined with: changes are reported against it */
    public LighthouseWatch(BootstrapStore store, StoreKeys keys, String node, Clock clock, Settings settings,
                           Probe probe, Host host, NetworkView joined) {
        this.store = Objects.requireNonNull(store, "store");
        this.keys = keys;
        this.node = node;
        this.clock = clock;
        this.settings = settings;
        this.probe = probe;
        this.host = host;
        this.last = Objects.requireNonNull(joined, "joined");
        this.promotions = new FounderElection(store, keys.promotionClaim(), node, settings.promotionLease(), clock);
        this.watchingSince = clock.instant();
    }

    /** Runs {@link #round()} every interval on a daemon thread of its own. */
    public synchronized void start() {
        if (timer != null) {
            throw new IllegalStateException("the lighthouse watch of " + node + " runs already");
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meshjoin-lighthouse-watch-" + node);
            t.setDaemon(true);
            return t;
        });
        long every = settings.interval().toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                round();
            } catch (RuntimeException | LinkageError e) {
                // Anything thrown out of here would end the schedule silently: the node would stop
                // following its network's record for good.
                LOG.warn("{}: lighthouse watch round failed, will try again in {}: {}", node, settings.interval(),
                        e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /** One round: read, probe, mark, maybe promote. Public so that tests can drive it with their clock. */
    public Round round() {
        Optional<NetworkView> read = NetworkRecords.read(store, keys);
        if (read.isEmpty()) {
            return new Round(last, List.of(), List.of(), Promotion.NOT_NEEDED);
        }
        NetworkView view = read.get();
        Instant now = clock.instant();
        List<String> down = new ArrayList<>();
        List<String> up = new ArrayList<>();
        for (NetworkView.LighthouseView lh : view.lighthouses()) {
            if (lh.name().equals(node)) {
                continue;
            }
            if (probe.answers(lh)) {
                lastSeen.put(lh.name(), now);
                if (!lh.live()) {
                    view = NetworkRecords.markDown(store, keys, lh.name(), null);
                    up.add(lh.name());
                    LOG.info("{}: lighthouse {} answers again; marked live", node, lh.name());
                }
            } else if (lh.live()) {
                Instant seen = lastSeen.getOrDefault(lh.name(), watchingSince);
                if (Duration.between(seen, now).compareTo(settings.grace()) >= 0) {
                    view = NetworkRecords.markDown(store, keys, lh.name(), seen);
                    down.add(lh.name());
                    LOG.warn("{}: lighthouse {} has not answered since {}; marked down", node, lh.name(), seen);
                }
            }
        }
        report(view);
        return new Round(view, List.copyOf(down), List.copyOf(up), promoteIfShort(view));
    }

    /**
     * Tells the host of a change; only once the host took it is it the last one reported, so a change
     * the host failed to apply (a port still held, a store blip) is offered again next round rather
     * than lost: its overlay would otherwise never trust a rotated CA.
     */
    private void report(NetworkView now) {
        NetworkView before = last;
        if (!before.record().equals(now.record())) {
            host.networkChanged(before, now);
        }
        last = now;
    }

    private Promotion promoteIfShort(NetworkView view) {
        if (!maySERVE || view.isLighthouse(node) || view.liveLighthouses().size() >= settings.target()) {
            return Promotion.NOT_NEEDED;
        }
        Optional<FounderElection.Claim> claim = promotions.tryClaim();
        if (claim.isEmpty()) {
            return Promotion.CLAIMED_ELSEWHERE;
        }
        try {
            // Another node may have promoted itself between this round's read and the claim.
            Optional<NetworkView> fresh = NetworkRecords.read(store, keys);
            if (fresh.isEmpty() || fresh.get().isLighthouse(node)
                    || fresh.get().liveLighthouses().size() >= settings.target()) {
                return Promotion.NOT_NEEDED;
            }
            LOG.info("{}: {} of {} lighthouses live; promoting this node", node, fresh.get().liveLighthouses().size(),
                    settings.target());
            boolean promoted = host.promote(fresh.get());
            NetworkRecords.read(store, keys).ifPresent(this::report);
            return promoted ? Promotion.PROMOTED : Promotion.FAILED;
        } catch (ConfigurationException e) {
            maySERVE = false;
            LOG.warn("{}: cannot serve as lighthouse ({}); no longer trying", node, e.getMessage());
            return Promotion.FAILED;
        } finally {
            promotions.release(claim.get());
        }
    }

    /** Stops the rounds; a round in progress finishes on its own. */
    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
