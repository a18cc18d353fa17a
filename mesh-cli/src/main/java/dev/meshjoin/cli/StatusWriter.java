package dev.meshjoin.cli;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.MeshNodeListener;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.core.lifecycle.StateFollower;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link StatusFile} of a {@code meshctl up} node current: rewritten on each state change
 * the node reports, removed when the process ends cleanly.
 */
final class StatusWriter implements MeshNodeListener {
    private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);
    private final Path stateDirectory;
    private final String store;
    private final Instant startedAt = Instant.now();
    private volatile MeshNode node;
    private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();
    /** The sequence number of the state change last written; guarded by this. */
    private long written;
    /** How often a ready node's file is rewritten for its lighthouse contacts. */
    static final java.time.Duration REFRESH = java.time.Duration.ofSeconds(10);
    private final java.util.concurrent.ScheduledExecutorService refresher =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "meshctl-status-file");
                t.setDaemon(true);
                return t;
            });

    StatusWriter(Path stateDirectory, String store) {
        this.stateDirectory = stateDirectory;
        this.store = store;
    }

    /**
     * The node whose certificate and network record go into the file. While it is READY or
     * DEGRADED the file is also rewritten every {@link #REFRESH}, so its lighthouses' last contact stays current.
     */
    void watch(MeshNode n) {
        this.node = n;
        refresher.scheduleWithFixedDelay(() -> {
            NodeStatus s = n.status();
            if (s.state() == NodeState.READY || s.state() == NodeState.DEGRADED) {
                write(changes.incrementAndGet(), s);
            }
        }, REFRESH.toMillis(), REFRESH.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /**
     * Passing states (DISCOVERING, JOINING, ...) are written on the file's own thread, so a cold
     * join does not wait for the first JSON writer and the file system between its steps; a state a
     * node stays in (READY, DEGRADED, FAILED, FALLBACK, LEFT) is written before this returns, so
     * whoever sees it printed finds it in the file. A write older than the last one is dropped, and a
     * passing state already followed by another is not written at all.
     */
    @Override
    public void onStateChange(NodeStatus before, NodeStatus now) {
        long seq = changes.incrementAndGet();
        if (now.state() == NodeState.LEFT) {
            refresher.shutdown();
            try {
                refresher.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS); // the queued writes first
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (passing(now.state())) {
            try {
                // A join passes several states in a few hundred ms: only the newest still queued is written.
                refresher.execute(() -> {
                    if (seq == changes.get()) {
                        write(seq, now);
                    }
                });
                return;
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // shut down: write it here
            }
        }
        write(seq, now);
    }

    private static boolean passing(NodeState s) {
        return s != NodeState.READY && s != NodeState.DEGRADED && s != NodeState.FAILED && s != NodeState.FALLBACK
                && s != NodeState.LEFT;
    }

    private synchronized void write(long seq, NodeStatus now) {
        if (seq < written) {
            return;
        }
        written = seq;
        try {
            snapshot(now).write(stateDirectory);
        } catch (RuntimeException e) {
            LOG.warn("cannot write the status file: {}", e.getMessage());
        }
    }

    /** The lighthouses of the node's network with when each last answered it. */
    static List<StatusFile.Contact> contacts(MeshNode n) {
        if (n == null) {
            return List.of();
        }
        java.util.Map<String, Instant> heard = n.follower().map(StateFollower::lastContact).orElse(java.util.Map.of());
        return n.network().map(r -> r.lighthouses().stream().map(l -> new StatusFile.Contact(l.name(),
                String.valueOf(l.overlayAddress()), heard.get(String.valueOf(l.overlayAddress())),
                l.name().equals(n.nodeName()))).toList()).orElse(List.of());
    }

    StatusFile snapshot(NodeStatus now) {
        MeshNode n = node;
        Optional<HostCertificate> cert = n == null ? Optional.empty() : n.certificate();
        List<String> lighthouses = n == null ? List.of() : n.network().map(r -> r.lighthouses().stream()
                .map(l -> l.name() + " " + l.overlayAddress()).toList()).orElse(List.of());
        String role = now.founder() ? "founder" : n != null && n.network().isPresent()
                && n.network().get().lighthouses().stream().anyMatch(l -> l.name().equals(n.nodeName()))
                ? "lighthouse" : cert.isPresent() ? "member" : null;
        Long nebula = ProcessHandle.current().children()
                .filter(h -> h.info().command().map(c -> c.endsWith("/nebula")).orElse(false))
                .map(ProcessHandle::pid).findFirst().orElse(null);
        boolean ended = now.state() == NodeState.LEFT;
        return new StatusFile(ProcessHandle.current().pid(), now.state().name(), now.detail(), role,
                now.address().map(Object::toString).orElse(null), cert.map(HostCertificate::fingerprint).orElse(null),
                cert.map(HostCertificate::notAfter).orElse(null), lighthouses, ended ? null : nebula, store, now.at(),
                startedAt, contacts(n), ended ? null : nextRenewal(n));
    }

    private static Instant nextRenewal(MeshNode n) {
        try {
            return n == null ? null : n.follower().map(StateFollower::renewAt).orElse(null);
        } catch (RuntimeException e) {
            return null; // a follower between certificates: the next write has it
        }
    }
}
