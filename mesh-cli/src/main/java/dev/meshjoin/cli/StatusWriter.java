package dev.meshjoin.cli;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.MeshNodeListener;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
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

    StatusWriter(Path stateDirectory, String store) {
        this.stateDirectory = stateDirectory;
        this.store = store;
    }

    /** The node whose certificate and network record go into the file. */
    void watch(MeshNode n) {
        this.node = n;
    }

    @Override
    public void onStateChange(NodeStatus before, NodeStatus now) {
        try {
            snapshot(now).write(stateDirectory);
        } catch (RuntimeException e) {
            LOG.warn("cannot write the status file: {}", e.getMessage());
        }
    }

    StatusFile snapshot(NodeStatus now) {
        MeshNode n = node;
        Optional<HostCertificate> cert = n == null ? Optional.empty() : n.certificate();
        List<String> lighthouses = n == null ? List.of() : n.networkRecord().map(r -> r.lighthouses().stream()
                .map(l -> l.name() + " " + l.overlayAddress()).toList()).orElse(List.of());
        String role = now.founder() ? "founder" : n != null && n.networkRecord().isPresent()
                && n.networkRecord().get().lighthouses().stream().anyMatch(l -> l.name().equals(n.nodeName()))
                ? "lighthouse" : cert.isPresent() ? "member" : null;
        Long nebula = ProcessHandle.current().children()
                .filter(h -> h.info().command().map(c -> c.endsWith("/nebula")).orElse(false))
                .map(ProcessHandle::pid).findFirst().orElse(null);
        boolean ended = now.state() == NodeState.LEFT;
        return new StatusFile(ProcessHandle.current().pid(), now.state().name(), now.detail(), role,
                now.address().map(Object::toString).orElse(null), cert.map(HostCertificate::fingerprint).orElse(null),
                cert.map(HostCertificate::notAfter).orElse(null), lighthouses, ended ? null : nebula, store, now.at(),
                startedAt);
    }
}
