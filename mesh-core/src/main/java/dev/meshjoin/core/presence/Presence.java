package dev.meshjoin.core.presence;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.core.record.EntryPointRecord;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.MemberRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a ready node's records true: refreshes its member record's {@code lastSeen} and, when it
 * serves as an entry point, its entry-point record, on a heartbeat. An entry point is published
 * only while its port accepts connections, with a time-to-live of three heartbeats, so a node that
 * dies drops out by itself. {@link #close()} withdraws the entry point.
 *
 * <p>Store writes per node per day: {@code 86400 / heartbeat} for the member record, the same again
 * for an entry point (48 + 48 at the default 30 minutes).
 */
public final class Presence implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Presence.class);

    private final BootstrapStore store;
    private final StoreKeys keys;
    private final String node;
    private final Clock clock;
    private final Duration heartbeat;
    private final EntryPointSpec entryPoint;
    private final Supplier<Optional<InetAddress>> publicAddress;
    private final String overlayAddress;
    private final ScheduledExecutorService timer;
    private volatile boolean published;

    /**
     * @param entryPoint what to publish, or null when this node is no entry point
     * @param publicAddress where peers reach it (detected); no entry point is published without one
     */
    public Presence(BootstrapStore store, StoreKeys keys, String node, Clock clock, Duration heartbeat,
                    EntryPointSpec entryPoint, Supplier<Optional<InetAddress>> publicAddress, String overlayAddress) {
        this.store = store;
        this.keys = keys;
        this.node = node;
        this.clock = clock;
        this.heartbeat = heartbeat;
        this.entryPoint = entryPoint;
        this.publicAddress = publicAddress;
        this.overlayAddress = overlayAddress;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meshjoin-presence-" + node);
            t.setDaemon(true);
            return t;
        });
    }

    /** Publishes the entry point at once (the member record was just written), then beats. */
    public void start() {
        try {
            refreshEntryPoint();
        } catch (RuntimeException e) {
            LOG.warn("{}: publishing the entry point failed, will retry at the next heartbeat: {}", node, e.getMessage());
        }
        timer.scheduleAtFixedRate(this::beatQuietly, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void beatQuietly() {
        try {
            beat();
        } catch (RuntimeException e) {
            LOG.warn("{}: heartbeat failed, will retry at the next one: {}", node, e.getMessage());
        }
    }

    /** One heartbeat: refresh the member record and the entry point. */
    public void beat() {
        touchMember();
        refreshEntryPoint();
    }

    private void refreshEntryPoint() {
        if (entryPoint != null) {
            Optional<InetAddress> address = publicAddress.get();
            if (address.isEmpty()) {
                LOG.info("{}: no public address detected; not publishing an entry point", node);
                withdraw();
            } else if (!listening(address.get(), entryPoint.port())) {
                LOG.warn("{}: nothing accepts connections on port {}; withdrawing the entry point", node, entryPoint.port());
                withdraw();
            } else {
                publish(address.get());
            }
        }
    }

    private void touchMember() {
        String key = keys.member(node);
        for (int round = 0; round < 3; round++) {
            Optional<Entry> e = store.get(key);
            if (e.isEmpty()) {
                return;
            }
            MemberRecord r = Json.read(e.get().value(), MemberRecord.class, key);
            MemberRecord fresh = new MemberRecord(Versioned.SCHEMA, r.node(), r.overlayAddress(), r.groups(), r.role(),
                    r.publicEndpoint(), r.certificateFingerprint(), r.certificateNotAfter(), clock.instant(), r.issuer());
            if (store.compareAndSet(key, e.get().version(), Json.write(fresh)).isPresent()) {
                return;
            }
        }
    }

    private void publish(InetAddress address) {
        Instant now = clock.instant();
        Duration ttl = heartbeat.multipliedBy(3);
        if (ttl.compareTo(store.minTtl()) < 0) {
            ttl = store.minTtl();
        }
        EntryPointRecord rec = new EntryPointRecord(Versioned.SCHEMA, node, address.getHostAddress(), entryPoint.port(),
                entryPoint.services(), overlayAddress, now, now.plus(ttl));
        String key = keys.entryPoint(node);
        for (int round = 0; round < 3; round++) {
            Optional<Entry> e = store.get(key);
            boolean ok = e.isEmpty() ? store.putIfAbsent(key, Json.write(rec), ttl).isPresent()
                    : store.compareAndSet(key, e.get().version(), Json.write(rec), ttl).isPresent();
            if (ok) {
                published = true;
                return;
            }
        }
        LOG.warn("{}: entry point {} kept changing under us; will retry at the next heartbeat", node, key);
    }

    /** Removes this node's entry point, if any. */
    public void withdraw() {
        String key = keys.entryPoint(node);
        store.get(key).ifPresent(e -> store.delete(key, e.version()));
        published = false;
    }

    /** Whether an entry point is currently published by this node. */
    public boolean published() {
        return published;
    }

    /** True when a TCP connection to the port succeeds, at the public address or else on this host. */
    static boolean listening(InetAddress address, int port) {
        for (InetAddress target : new InetAddress[] {address, InetAddress.getLoopbackAddress()}) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(target, port), 500);
                return true;
            } catch (IOException e) {
                // try the next target
            }
        }
        return false;
    }

    /** Stops the heartbeat and withdraws the entry point. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            // A beat in flight must end before the withdrawal, or it could publish the entry point again.
            if (!timer.awaitTermination(2, TimeUnit.SECONDS)) {
                LOG.info("{}: a heartbeat is still running; withdrawing the entry point anyway", node);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (entryPoint != null) {
            try {
                withdraw();
            } catch (RuntimeException e) {
                LOG.info("{}: could not withdraw the entry point ({}); it expires by itself", node, e.getMessage());
            }
        }
    }
}
