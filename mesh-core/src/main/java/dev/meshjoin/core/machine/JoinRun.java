package dev.meshjoin.core.machine;

import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.ip.IpAllocator;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.net.Ipv4Interface;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.core.ip.StoreIpAllocator;
import dev.meshjoin.core.lighthouse.CaVault;
import dev.meshjoin.core.lighthouse.Lighthouse;
import dev.meshjoin.core.lifecycle.RunningOverlay;
import dev.meshjoin.core.lifecycle.StateFollower;
import dev.meshjoin.core.lifecycle.StateServerFactory;
import dev.meshjoin.core.lifecycle.StateService;
import dev.meshjoin.core.presence.Presence;
import dev.meshjoin.core.record.NetworkView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One join of one node: the configuration, what the steps found out so far, and what they
 * started (signing service, overlay, heartbeat), so that a failure, {@code close()} or
 * {@code leave()} stops exactly that. Cancelling marks it; the next state change then ends the join.
 */
public final class JoinRun {
    private static final Logger LOG = LoggerFactory.getLogger(JoinRun.class);
    /** How long a stopping lighthouse waits for the store to take its last presence record. */
    private static final Duration PRESENCE_CLOSE_WAIT = Duration.ofSeconds(1);

    final NodeConfig config;
    private final StatusBoard board;
    private volatile String cancelled;
    volatile NetworkView network;
    volatile HostCertificate certificate;
    volatile boolean founder;
    volatile Lighthouse lighthouse;
    volatile boolean overlayStarted;
    volatile Presence presence;
    /** The running overlay's configuration, once started. */
    volatile RunningOverlay overlay;
    volatile StateFollower follower;
    volatile StateService stateService;
    volatile StateServerFactory.StateServer stateServer;
    volatile String observedSource;
    /** A key pair being made while DISCOVERING runs, for a node that has none saved; or null. */
    private volatile java.util.concurrent.CompletableFuture<HostKeyPair> keysAhead;

    /** @param previous the node's last run, whose certificate and observations carry over; or null */
    public JoinRun(NodeConfig config, StatusBoard board, JoinRun previous) {
        this.config = config;
        this.board = board;
        if (previous != null) {
            this.network = previous.network;
            this.certificate = previous.certificate;
            this.founder = previous.founder;
            this.observedSource = previous.observedSource;
        }
    }

    public Optional<NetworkView> network() {
        return Optional.ofNullable(network);
    }

    public Optional<HostCertificate> certificate() {
        return Optional.ofNullable(certificate);
    }

    public Optional<Lighthouse> lighthouse() {
        return Optional.ofNullable(lighthouse);
    }

    public Optional<Presence> presence() {
        return Optional.ofNullable(presence);
    }

    public Optional<StateFollower> follower() {
        return Optional.ofNullable(follower);
    }

    public Optional<StateService> stateService() {
        return Optional.ofNullable(stateService);
    }

    /** Every lighthouse's state service, from the last state document, else from the network record; empty before. */
    public java.util.List<dev.meshjoin.api.net.Endpoint> stateServices() {
        NetworkView n = network;
        return n == null ? java.util.List.of() : Following.services(follower, n);
    }

    public Optional<String> observedSource() {
        return Optional.ofNullable(observedSource);
    }

    /** Marks the run cancelled; its next state change throws {@link JoinCancelledException}. */
    public void cancel(String why) {
        cancelled = why;
    }

    public boolean cancelled() {
        return cancelled != null;
    }

    String cancelReason() {
        return cancelled;
    }

    void checkCancelled() {
        String why = cancelled;
        if (why != null) {
            throw new JoinCancelledException(why);
        }
    }

    /** Enters a step's state. */
    void enter(Step step) {
        move(step.state(), step.detail(), null);
    }

    /** Moves to {@code to}, unless the run was cancelled. */
    NodeStatus move(NodeState to, String detail, Throwable cause) {
        checkCancelled();
        return board.move(to, detail, cause, address(), founder);
    }

    /** Ends the join in a terminal state; when the node moved on already (closed), only reports it. */
    NodeStatus end(NodeState to, String detail, Throwable cause) {
        synchronized (board) {
            if (Transitions.allowed(board.status().state(), to)) {
                return board.move(to, detail, cause, address(), founder);
            }
        }
        return new NodeStatus(to, detail, Optional.ofNullable(cause), address(), founder, config.clock.instant());
    }

    /** Says what a state that waits is waiting for (a move to the same state). */
    void say(String detail) {
        NodeState now = board.status().state();
        if (now == NodeState.READY || now == NodeState.DEGRADED) {
            // A ready node joining again (its renewal was refused) keeps its state while it waits:
            // its overlay still runs on the certificate it has, and READY does not move to itself.
            checkCancelled();
            org.slf4j.LoggerFactory.getLogger(JoinRun.class).info("{}: joining again: {}", config.nodeName, detail);
            return;
        }
        move(now, detail, null);
    }

    private Optional<Ipv4Interface> address() {
        HostCertificate c = certificate;
        return c == null ? Optional.empty() : Optional.of(c.addresses().get(0));
    }

    /** This node's key pair: the saved one, else a new one saved now. */
    HostKeyPair hostKeys() {
        Optional<HostKeyPair> saved = config.local.keyPair();
        if (saved.isPresent()) {
            return saved.get();
        }
        java.util.concurrent.CompletableFuture<HostKeyPair> ahead = keysAhead;
        keysAhead = null;
        HostKeyPair fresh = null;
        if (ahead != null) {
            try {
                fresh = ahead.join();
            } catch (RuntimeException e) {
                LOG.debug("{}: making the key pair ahead failed ({}); making it now", config.nodeName, e.getMessage());
            }
        }
        if (fresh == null) {
            fresh = config.caProvider.newHostKeyPair();
        }
        config.local.saveKeyPair(fresh);
        return fresh;
    }

    /**
     * Makes this node's key pair, on a background thread of DISCOVERING, when none is saved: a cold
     * join then has it (and the crypto classes loaded) by the time it asks for a certificate. The
     * pair stays in memory until {@link #hostKeys()} takes and saves it; one that reaches there first
     * makes its own, and a node that turns out not to need the pair just drops it.
     */
    void makeHostKeysAhead() {
        if (keysAhead != null || config.local.keyPair().isPresent()) {
            return;
        }
        java.util.concurrent.CompletableFuture<HostKeyPair> f = new java.util.concurrent.CompletableFuture<>();
        keysAhead = f;
        try {
            f.complete(config.caProvider.newHostKeyPair());
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
        }
    }

    CaVault vault() {
        return new CaVault(config.store, config.keys, config.caProvider, config.caKeyCodec);
    }

    /** The lighthouse this node runs with {@code ca}; its allocator reserves every lighthouse in the record. */
    /**
     * @param restarted whether this lighthouse may have allocated addresses before (a recovered or
     *     promoted one): on an eventual store it then waits for its earlier writes to be visible
     */
    Lighthouse newLighthouse(CertificateAuthority ca, Ipv4Cidr cidr, boolean restarted) {
        NetworkView n = network;
        int slice = 0;
        if (n != null) {
            List<NetworkView.LighthouseView> lhs = n.lighthouses();
            slice = lhs.size();
            for (int i = 0; i < lhs.size(); i++) {
                if (lhs.get(i).name().equals(config.nodeName)) {
                    slice = i;
                }
            }
        }
        Instant from = restarted && !config.store.consistency().isLinearizable()
                ? config.clock.instant().plus(config.store.consistency().propagationBound().multipliedBy(2))
                        .plus(Discover.EVENTUAL_MARGIN)
                : Instant.MIN;
        IpAllocator allocator = config.allocators != null ? config.allocators.create(cidr, this::lighthouseAddresses)
                : new StoreIpAllocator(config.store, config.keys, cidr, config.clock, this::lighthouseAddresses, slice, from);
        return Lighthouse.builder(config.store, config.keys.networkName()).ca(ca).network(cidr)
                .lighthouses(this::lighthouseAddresses).allocator(allocator)
                .admission(config.admission).signingServers(config.signingServers)
                .certificateValidity(config.certificateValidity).clock(config.clock).build();
    }

    /** An allocator of this network's addresses, as the configured factory makes it. */
    public IpAllocator allocator(Ipv4Cidr cidr) {
        return config.allocators != null ? config.allocators.create(cidr, this::lighthouseAddresses) : new StoreIpAllocator(config.store, config.keys, cidr, config.clock, this::lighthouseAddresses);
    }

    private Set<dev.meshjoin.api.net.Ipv4Address> lighthouseAddresses() {
        NetworkView n = network;
        return n == null ? Set.of() : n.lighthouseAddresses();
    }

    /** Stops what this run started: heartbeat, signing service, overlay. Never throws. */
    public void stopQuietly() {
        Presence p = presence;
        presence = null;
        if (p != null) {
            p.close();
        }
        StateFollower f = follower;
        follower = null;
        if (f != null) {
            f.close();
        }
        StateServerFactory.StateServer ss = stateServer;
        StateService service = stateService;
        stateServer = null;
        stateService = null;
        if (ss != null) {
            try {
                ss.close();
            } catch (RuntimeException e) {
                LOG.warn("{}: stopping the state service failed: {}", config.nodeName, e.getMessage());
            }
        }
        if (service != null) {
            // No poll reaches it any more: say so, or readers count its members running for an hour.
            service.presence().close(PRESENCE_CLOSE_WAIT);
        }
        Lighthouse lh = lighthouse;
        lighthouse = null;
        if (lh != null) {
            try {
                lh.close();
            } catch (RuntimeException e) {
                LOG.warn("{}: stopping the signing service failed: {}", config.nodeName, e.getMessage());
            }
        }
        if (overlayStarted) {
            overlayStarted = false;
            try {
                config.overlay.stop();
            } catch (RuntimeException e) {
                LOG.warn("{}: stopping the overlay failed: {}", config.nodeName, e.getMessage());
            }
        }
    }
}
