package dev.meshjoin.core;

import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ip.IpAllocatorFactory;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.overlay.FirewallRule;
import dev.meshjoin.api.overlay.OverlayDriver;
import dev.meshjoin.api.retry.RetryPolicy;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.address.DetectedAddress;
import dev.meshjoin.core.address.PublicAddressDetector;
import dev.meshjoin.api.join.Admission;
import dev.meshjoin.api.join.JoinCredentials;
import dev.meshjoin.api.join.JoinTransport;
import dev.meshjoin.api.join.SigningServerFactory;
import dev.meshjoin.core.lighthouse.Lighthouse;
import dev.meshjoin.core.lifecycle.StateChannel;
import dev.meshjoin.core.lifecycle.StateFollower;
import dev.meshjoin.core.lifecycle.StateServerFactory;
import dev.meshjoin.core.lifecycle.StateService;
import dev.meshjoin.core.lighthouse.LighthouseWatch;
import dev.meshjoin.core.machine.Closer;
import dev.meshjoin.core.machine.NodeConfig;
import dev.meshjoin.core.machine.StatusBoard;
import dev.meshjoin.core.presence.EntryPointSpec;
import dev.meshjoin.core.presence.EntryPoints;
import dev.meshjoin.core.presence.Presence;
import dev.meshjoin.core.record.NetworkView;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One worker's membership of a mesh: its status, its listeners and its lifecycle. {@link #join()}
 * runs the join's state machine (the states and their moves are in {@code machine.Transitions}):
 * the founder creates the CA (its key goes to the store sealed, never to disk), writes the network
 * record with put-if-absent and becomes the first lighthouse; joiners make their own key pair, send
 * only the public key, verify what they get against the CA pinned in the record, and are READY only
 * when their overlay says a peer answered. {@link #close()} cancels a join in progress.
 *
 * <pre>{@code
 * try (MeshNode node = MeshNode.builder()
 *         .nodeName("worker-7").networkName("prod")
 *         .store(store).certificateAuthorities(caProvider).overlay(overlay)
 *         .transport(transport).credentials(credentials)
 *         .stateDirectory(Path.of("/var/lib/meshjoin"))
 *         .build()) {
 *     NodeStatus status = node.join();
 *     if (status.state() == NodeState.FALLBACK) { useOtherTransport(); }
 * }
 * }</pre>
 *
 * A node that may found the network or serve as lighthouse also sets {@code publicEndpoint},
 * {@code caKeyCodec}, {@code signingServers} and {@code admission}.
 */
public final class MeshNode implements AutoCloseable {
    private final NodeConfig config;
    private final StatusBoard board;
    private final NodeRuns runs;
    private final Closer owned;
    private final dev.meshjoin.core.registry.LighthouseRegistry lighthouses;
    private final dev.meshjoin.api.registry.ServiceRegistry registry;
    private final java.util.concurrent.atomic.AtomicReference<dev.meshjoin.core.router.RoutingClient> client =
            new java.util.concurrent.atomic.AtomicReference<>();

    private MeshNode(Builder b) {
        this.config = new NodeConfig(b.d);
        this.board = new StatusBoard(config.nodeName, config.clock, b.listeners);
        this.runs = new NodeRuns(config, board);
        this.lighthouses = Registries.lighthouses(config, runs, this::heartbeatNow);
        this.registry = Registries.choose(config, runs, lighthouses);
        List<AutoCloseable> own = concat(b.owned, lighthouses);
        if (registry != lighthouses && registry instanceof AutoCloseable c) {
            own.add(c);
        }
        this.owned = new Closer(config.nodeName, own);
        config.overlay.addListener((before, now) -> board.followOverlay(now));
    }

    public static Builder builder() {
        return new Builder();
    }

    public String nodeName() {
        return config.nodeName;
    }

    /** The current status. */
    public NodeStatus status() {
        return board.status();
    }

    /** The network this node joined, once known. */
    public Optional<NetworkInfo> network() {
        return runs.current().network().map(NetworkView::record).map(r -> new NetworkInfo(r.network(),
                Ipv4Cidr.parse(r.cidr()), r.caType(), r.caFingerprint(), r.founder(), r.foundedAt(), r.lighthouses()
                        .stream().map(l -> new NetworkInfo.Lighthouse(l.name(), l.overlayAddress(), l.endpoints())).toList()));
    }

    /** This node's certificate, once it has one. */
    public Optional<HostCertificate> certificate() {
        return runs.current().certificate();
    }

    /** Where this node's signing service listens, when it is a lighthouse. */
    public Optional<Endpoint> signingEndpoint() {
        return runs.current().lighthouse().flatMap(Lighthouse::endpoint);
    }

    public void addListener(MeshNodeListener listener) {
        board.addListener(listener);
    }

    /**
     * Founds or joins the network and returns the state the attempt ended in: {@link NodeState#READY},
     * {@link NodeState#FAILED} or {@link NodeState#FALLBACK}. Never throws for a failed join; the
     * cause is in the returned status. {@link #close()} from another thread ends it within a second,
     * in FAILED.
     *
     * @throws IllegalStateException when the node is already joining or ready
     */
    public NodeStatus join() {
        return runs.join();
    }

    /**
     * Stops the overlay and the signing service and keeps the membership: a node rebuilt with the
     * same state directory comes back with the same address (and a founder as founder). A join in
     * progress is cancelled; close() returns within about a second.
     */
    @Override
    public void close() {
        try {
            runs.close();
        } finally {
            owned.close();
        }
    }

    /**
     * Leaves the network for good: stops, removes the member record and releases the address (it
     * stays reserved until its certificate expires). Lighthouses keep their address.
     */
    public void leave() {
        runs.leave();
    }

    /**
     * This node's public address as detection finds it now: the operator's setting, else what the
     * lighthouse saw this node's join request come from, else echo endpoints, else interfaces.
     */
    public Optional<DetectedAddress> publicAddress() {
        return config.addressDetector.detect(runs.current().observedSource());
    }

    /** The entry points of this node's network that are live now. */
    public List<EntryPoint> liveEntryPoints() {
        return new EntryPoints(config.store, config.keys, config.clock).live().stream().map(e -> new EntryPoint(
                e.node(), e.publicAddress(), e.port(), e.services(), e.overlayAddress(), e.expiresAt())).toList();
    }

    /** How many times this node's overlay daemon was started again after its first start ({@link OverlayDriver#restarts()}). */
    public long overlayRestarts() {
        return config.overlay.restarts();
    }

    /** The watch of the network's lighthouses, while this node is ready and may serve (it has a public endpoint). */
    public Optional<LighthouseWatch> lighthouseWatch() {
        return runs.lighthouseWatch();
    }

    /**
     * Polls this node's lighthouse now instead of at the next interval (after a change of public
     * address, say): the poll is the node's heartbeat. False when the node is not READY.
     */
    public boolean heartbeatNow() {
        Optional<StateFollower> follower = runs.current().follower();
        follower.ifPresent(StateFollower::tick);
        return follower.isPresent();
    }

    /** Whether this node currently offers an entry point with its polls. */
    public boolean publishesEntryPoint() {
        return runs.current().presence().map(Presence::published).orElse(false);
    }

    /** What keeps this node in step with its network (polls, renewal), once READY. */
    public Optional<StateFollower> follower() {
        return runs.current().follower();
    }

    /**
     * The service registry: announce what this node offers on its overlay address, look up who
     * offers a service. Lookups work once the node is READY. Through the lighthouses by default; on
     * etcd when the store is etcd ({@code mesh-store-etcd} on the class path).
     */
    public dev.meshjoin.api.registry.ServiceRegistry registry() {
        return registry;
    }

    /**
     * Sends HTTP requests to live instances of a service over the overlay (see {@link
     * dev.meshjoin.core.router.RoutingClient}), with the default router settings.
     */
    public dev.meshjoin.api.registry.ServiceClient serviceClient() {
        return client.updateAndGet(c -> c != null ? c : new dev.meshjoin.core.router.RoutingClient(registry,
                dev.meshjoin.core.router.RouterSettings.defaults(), config.clock));
    }

    private static List<AutoCloseable> concat(List<AutoCloseable> a, AutoCloseable b) {
        List<AutoCloseable> all = new ArrayList<>(a);
        all.add(b);
        return all;
    }

    /** This lighthouse's state service, once READY, when it is a lighthouse. */
    public Optional<StateService> stateService() {
        return runs.current().stateService();
    }

    /** Builds a {@link MeshNode}; the Javadoc of each setter gives its default. */
    public static final class Builder {
        private final NodeConfig.Draft d = new NodeConfig.Draft();
        private final List<MeshNodeListener> listeners = new ArrayList<>();
        private final List<AutoCloseable> owned = new ArrayList<>();

        private Builder() {
        }

        /** Required: this node's name, a DNS label unique in the network. */
        public Builder nodeName(String v) { d.nodeName = v; return this; }
        /** The network to found or join; default {@code mesh}. */
        public Builder networkName(String v) { d.networkName = v; return this; }
        /** The overlay network a founder creates; default {@code 10.42.0.0/16}. Joiners follow the record. */
        public Builder cidr(Ipv4Cidr v) { d.cidr = v; return this; }
        /** Groups this node asks for; the signing service grants what its credential allows. */
        public Builder groups(List<String> v) { d.groups = List.copyOf(v); return this; }
        /** Where peers reach this node's overlay daemon; a node without one never founds or serves. */
        public Builder publicEndpoint(Endpoint v) { d.publicEndpoint = v; return this; }
        /** The signing service's port on a lighthouse; default 8444. */
        public Builder signingPort(int v) { d.signingPort = v; return this; }
        /** Required: where this node keeps its key pair and certificate (0700). */
        public Builder stateDirectory(Path v) { d.stateDirectory = v; return this; }
        /** Required: the bootstrap store. */
        public Builder store(BootstrapStore v) { d.store = v; return this; }
        /** Required: the certificate format (Nebula's in production). */
        public Builder certificateAuthorities(CertificateAuthorityProvider v) { d.caProvider = v; return this; }
        /** Required: the overlay driver. */
        public Builder overlay(OverlayDriver v) { d.overlay = v; return this; }
        /** Required with a public endpoint: seals the CA key in the store, keyed by the CA passphrase and the network's salt. */
        public Builder caKeyCodec(SecretCodecFactory v) { d.caKeyCodec = v; return this; }
        /** Required: carries join requests to lighthouses. */
        public Builder transport(JoinTransport v) { d.transport = v; return this; }
        /** Required with a public endpoint: starts the signing service when this node is a lighthouse. */
        public Builder signingServers(SigningServerFactory v) { d.signingServers = v; return this; }
        /** Required with a public endpoint: who may join, when this node is a lighthouse. */
        public Builder admission(Admission v) { d.admission = v; return this; }
        /** Required: this node's proof of its right to join. */
        public Builder credentials(JoinCredentials v) { d.credentials = v; return this; }
        /** The clock for records, leases and certificates; default the system clock. */
        public Builder clock(Clock v) { d.clock = v; return this; }
        /** How long join() may take in all, every store call and wait inside included; default 2 minutes. */
        public Builder joinTimeout(Duration v) { d.joinTimeout = v; return this; }
        /** How long a founder claim lives without renewal; default 30 s (at least the store's minimum TTL). */
        public Builder founderLease(Duration v) { d.founderLease = v; return this; }
        /** How long to wait for a peer to answer over the overlay; default 30 s. */
        public Builder overlayTimeout(Duration v) { d.overlayTimeout = v; return this; }
        /** Validity of host certificates; default 30 days. */
        public Builder certificateValidity(Duration v) { d.certificateValidity = v; return this; }
        /** Validity of a new CA; default 365 days. */
        public Builder caValidity(Duration v) { d.caValidity = v; return this; }
        /** Retries of store operations that may pass; default 5 attempts, 100 ms to 2 s. */
        public Builder retryPolicy(RetryPolicy v) { d.retryPolicy = v; return this; }
        /** Overlay firewall rules; default the overlay driver's documented default. */
        public Builder firewall(List<FirewallRule> v) { d.firewall = List.copyOf(v); return this; }
        /**
         * How often a lighthouse writes its aggregated presence record while nothing changes; default
         * 30 minutes. Members write nothing: their polls are their heartbeat.
         */
        public Builder heartbeat(Duration v) { d.heartbeat = v; return this; }
        /** How often a ready member polls the network state (less up to a fifth, jitter); default 15 s. */
        public Builder pollInterval(Duration v) { d.pollInterval = v; return this; }
        /** How often a lighthouse reads revocations from the store (the network record every 12th time); default 5 s. */
        public Builder lighthouseRefresh(Duration v) { d.lighthouseRefresh = v; return this; }
        /** Starts a lighthouse's state service on its overlay address; default HTTP ({@code HttpStateServers}). */
        public Builder stateServers(StateServerFactory v) { d.stateServers = v; return this; }
        /** Carries a member's polls and renewals to the lighthouses; default HTTP ({@code HttpStateChannel}). */
        public Builder stateChannel(StateChannel v) { d.stateChannel = v; return this; }
        /** Publish this node as an entry point while the port accepts connections; default none. */
        public Builder entryPoint(EntryPointSpec v) { d.entryPoint = v; return this; }
        /** How to find this node's public address; default: the lighthouse's observation, then interfaces. */
        public Builder publicAddressDetector(PublicAddressDetector v) { d.addressDetector = v; return this; }
        /**
         * Serve as a lighthouse of an existing network too; default false (only the founder is one).
         * Needs a public endpoint and the CA passphrase: {@link #caKeyCodec} must open the sealed CA key.
         */
        public Builder lighthouse(boolean v) { d.lighthouse = v; return this; }
        /** How long a joiner waits for one lighthouse before it tries the next; default 10 s. */
        public Builder lighthouseTimeout(Duration v) { d.lighthouseTimeout = v; return this; }
        /**
         * How a node that may serve watches the lighthouses: every 15 s, one not seen for 10 minutes is
         * marked down, and while fewer than 2 are live this node promotes itself (one node at a time).
         */
        public Builder lighthouseWatch(LighthouseWatch.Settings v) { d.lighthouseWatch = v; return this; }
        /** Whether a lighthouse answers; default a TCP connection to its signing service within 2 s. */
        public Builder lighthouseProbe(LighthouseWatch.Probe v) { d.lighthouseProbe = v; return this; }
        /** How a lighthouse hands out overlay addresses; default leases in the store. */
        public Builder ipAllocator(IpAllocatorFactory v) { d.allocators = v; return this; }
        /**
         * Pins the network's CA from outside the store: the store's records must be signed by it (or
         * by a CA its signed bundle names), and a store naming another CA is refused. One fingerprint,
         * or several during a CA rotation. An enrollment token made by this meshjoin carries its own pin.
         */
        public Builder caFingerprint(List<String> v) { d.caFingerprints = List.copyOf(v); return this; }
        /**
         * Where the record MAC key comes from; default the credentials when they are the network
         * secret. A lighthouse that also knows the secret (but joins with a token) sets it here.
         */
        public Builder recordMacKeys(dev.meshjoin.core.trust.MacKeySource v) { d.recordMacKeys = v; return this; }
        /**
         * The trust to use, when other parts (admission, the signing service) were given a
         * {@link dev.meshjoin.core.trust.TrustedStore} view made with it; default a new one.
         */
        public Builder trust(dev.meshjoin.core.trust.RecordTrust v) { d.trust = v; return this; }
        /** Told of renewals and of this lighthouse's join decisions, for monitoring; default none. */
        public Builder events(NodeEvents v) { d.events = Objects.requireNonNull(v); return this; }
        /** Adds a listener told of every state change. */
        public Builder listener(MeshNodeListener v) { listeners.add(v); return this; }

        /**
         * Something the node owns and closes in {@link MeshNode#close()} after it stopped, such as a
         * store opened for it from a URI (a store the caller passed in stays the caller's to close).
         */
        public Builder closing(AutoCloseable v) { owned.add(Objects.requireNonNull(v)); return this; }

        public MeshNode build() {
            return new MeshNode(this);
        }
    }
}
