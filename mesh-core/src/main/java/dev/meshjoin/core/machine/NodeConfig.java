package dev.meshjoin.core.machine;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.ip.IpAllocatorFactory;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.overlay.FirewallRule;
import dev.meshjoin.api.overlay.OverlayDriver;
import dev.meshjoin.api.retry.RetryPolicy;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.core.address.PublicAddressDetector;
import dev.meshjoin.api.join.Admission;
import dev.meshjoin.api.join.JoinCredentials;
import dev.meshjoin.api.join.JoinTransport;
import dev.meshjoin.api.join.SigningServerFactory;
import dev.meshjoin.core.lighthouse.Lighthouse;
import dev.meshjoin.core.lighthouse.LighthouseWatch;
import dev.meshjoin.core.presence.EntryPointSpec;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.retry.RetryingBootstrapStore;
import dev.meshjoin.core.state.LocalState;
import dev.meshjoin.core.trust.MacKeySource;
import dev.meshjoin.core.trust.RecordTrust;
import dev.meshjoin.core.trust.TrustedStore;
import java.nio.file.Path;
import java.time.Clock;
import dev.meshjoin.core.lifecycle.HttpStateChannel;
import dev.meshjoin.core.lifecycle.HttpStateServers;
import dev.meshjoin.core.lifecycle.StateChannel;
import dev.meshjoin.core.lifecycle.StateServerFactory;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A node's configuration, checked once when the node is built. Internal: {@code MeshNode.Builder}
 * fills a {@link Draft}; the join's steps read the result.
 */
public final class NodeConfig {
    public final String nodeName;
    public final StoreKeys keys;
    public final Ipv4Cidr cidr;
    public final List<String> groups;
    public final Endpoint publicEndpoint;
    public final int signingPort;
    public final LocalState local;
    /** The store as this node sees it: records that grant trust are checked ({@link TrustedStore}). */
    public final BootstrapStore store;
    /** What this node trusts and the CA keys it signs with. */
    public final RecordTrust trust;
    public final CertificateAuthorityProvider caProvider;
    public final OverlayDriver overlay;
    public final SecretCodecFactory caKeyCodec;
    public final JoinTransport transport;
    public final SigningServerFactory signingServers;
    public final Admission admission;
    public final JoinCredentials credentials;
    public final Clock clock;
    public final Duration joinTimeout;
    public final Duration founderLease;
    public final Duration overlayTimeout;
    public final Duration certificateValidity;
    public final Duration caValidity;
    public final List<FirewallRule> firewall;
    public final Duration heartbeat;
    public final EntryPointSpec entryPoint;
    public final PublicAddressDetector addressDetector;
    public final boolean lighthouse;
    public final StateServerFactory stateServers;
    public final StateChannel stateChannel;
    public final Duration pollInterval;
    public final Duration lighthouseRefresh;
    /** What this node announces in the service registry. */
    public final dev.meshjoin.core.registry.LocalServices services;

    /** The shortest certificate validity a node accepts. */
    public static final Duration MIN_VALIDITY = Duration.ofMinutes(1);
    public final Duration lighthouseTimeout;
    public final LighthouseWatch.Settings lighthouseWatch;
    public final LighthouseWatch.Probe lighthouseProbe;
    /** The allocator a lighthouse uses, or null for leases in the store. */
    public final IpAllocatorFactory allocators;
    /** Told of renewals, for monitoring. */
    public final dev.meshjoin.core.NodeEvents events;

    /** What a builder collects; every field has the default the builder documents. */
    public static final class Draft {
        public String nodeName;
        public String networkName = "mesh";
        public Ipv4Cidr cidr = Ipv4Cidr.parse("10.42.0.0/16");
        public List<String> groups = List.of();
        public Endpoint publicEndpoint;
        public int signingPort = 8444;
        public Path stateDirectory;
        public BootstrapStore store;
        public CertificateAuthorityProvider caProvider;
        public OverlayDriver overlay;
        public SecretCodecFactory caKeyCodec;
        public JoinTransport transport;
        public SigningServerFactory signingServers;
        public Admission admission;
        public JoinCredentials credentials;
        public Clock clock = Clock.systemUTC();
        public Duration joinTimeout = Duration.ofMinutes(2);
        public Duration founderLease = Duration.ofSeconds(30);
        public Duration overlayTimeout = Duration.ofSeconds(30);
        public Duration certificateValidity = Duration.ofDays(30);
        public Duration caValidity = Duration.ofDays(365);
        public RetryPolicy retryPolicy = RetryPolicy.defaultPolicy();
        public List<FirewallRule> firewall = List.of();
        public Duration heartbeat = Duration.ofMinutes(30);
        public EntryPointSpec entryPoint;
        public PublicAddressDetector addressDetector;
        public boolean lighthouse;
        public StateServerFactory stateServers;
        public StateChannel stateChannel;
        public Duration pollInterval = Duration.ofSeconds(15);
        public Duration lighthouseRefresh = Duration.ofSeconds(5);
        public dev.meshjoin.core.registry.LocalServices services = new dev.meshjoin.core.registry.LocalServices();
        public Duration lighthouseTimeout = Duration.ofSeconds(10);
        public LighthouseWatch.Settings lighthouseWatch = LighthouseWatch.Settings.DEFAULTS;
        public LighthouseWatch.Probe lighthouseProbe = LighthouseWatch.Probe.tcp(Duration.ofSeconds(2));
        public IpAllocatorFactory allocators;
        public List<String> caFingerprints = List.of();
        public MacKeySource recordMacKeys;
        public RecordTrust trust;
        public dev.meshjoin.core.NodeEvents events = dev.meshjoin.core.NodeEvents.NONE;
    }

    /** @throws ConfigurationException naming what is missing or wrong and how to set it */
    public NodeConfig(Draft d) {
        this.nodeName = StoreKeys.checkName("node name", d.nodeName);
        this.keys = StoreKeys.of(d.networkName);
        this.cidr = Objects.requireNonNull(d.cidr, "cidr");
        for (String g : d.groups) {
            StoreKeys.checkName("group", g);
            if (g.equals(Lighthouse.GROUP)) {
                throw new ConfigurationException("group '" + Lighthouse.GROUP + "' is given to lighthouses only; remove it");
            }
        }
        this.groups = List.copyOf(d.groups);
        this.publicEndpoint = d.publicEndpoint;
        this.signingPort = d.signingPort;
        this.local = new LocalState(require(d.stateDirectory, "stateDirectory", ""));
        this.caProvider = require(d.caProvider, "certificateAuthorities", "");
        BootstrapStore raw = RetryingBootstrapStore.wrap(TrustedStore.unchecked(require(d.store, "store", "")),
                d.retryPolicy);
        this.overlay = require(d.overlay, "overlay", "");
        this.transport = require(d.transport, "transport", "");
        this.credentials = require(d.credentials, "credentials", "");
        this.lighthouse = d.lighthouse;
        this.lighthouseTimeout = positive(d.lighthouseTimeout, "lighthouseTimeout");
        this.lighthouseWatch = Objects.requireNonNull(d.lighthouseWatch, "lighthouseWatch");
        this.lighthouseProbe = Objects.requireNonNull(d.lighthouseProbe, "lighthouseProbe");
        this.allocators = d.allocators;
        this.events = Objects.requireNonNull(d.events, "events");
        if (lighthouse && publicEndpoint == null) {
            throw new ConfigurationException("MeshNode: a lighthouse needs a public endpoint; set publicEndpoint");
        }
        // Only a node that may found or serve (it has a public endpoint) holds the CA and serves joins.
        String why = " (a node with a public endpoint may found the network or serve as lighthouse;"
                + " a node that only joins leaves publicEndpoint unset)";
        boolean serves = publicEndpoint != null;
        this.caKeyCodec = serves ? require(d.caKeyCodec, "caKeyCodec", why) : d.caKeyCodec;
        this.signingServers = serves ? require(d.signingServers, "signingServers", why) : d.signingServers;
        this.admission = serves ? require(d.admission, "admission", why) : d.admission;
        this.trust = NodeTrust.of(d, keys, caProvider, raw, credentials, caKeyCodec);
        this.store = TrustedStore.wrap(raw, trust);
        this.clock = d.clock;
        this.joinTimeout = d.joinTimeout;
        this.founderLease = d.founderLease;
        this.overlayTimeout = d.overlayTimeout;
        if (d.certificateValidity.compareTo(MIN_VALIDITY) < 0) {
            throw new ConfigurationException("MeshNode: certificate validity " + d.certificateValidity + " is below "
                    + MIN_VALIDITY + "; renewal at two thirds of it needs at least a minute");
        }
        this.certificateValidity = d.certificateValidity;
        this.stateServers = d.stateServers != null ? d.stateServers : new HttpStateServers();
        this.stateChannel = d.stateChannel != null ? d.stateChannel : new HttpStateChannel();
        this.pollInterval = d.pollInterval;
        this.lighthouseRefresh = d.lighthouseRefresh;
        this.services = Objects.requireNonNull(d.services, "services");
        this.caValidity = d.caValidity;
        this.firewall = List.copyOf(d.firewall);
        this.heartbeat = d.heartbeat;
        this.entryPoint = d.entryPoint;
        this.addressDetector = d.addressDetector != null ? d.addressDetector : PublicAddressDetector.builder().build();
    }

    private static Duration positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new ConfigurationException("MeshNode: " + what + " must be positive, got " + d);
        }
        return d;
    }

    private static <T> T require(T value, String what, String why) {
        if (value == null) {
            throw new ConfigurationException("MeshNode: " + what + " is required" + why + "; set it on the builder");
        }
        return value;
    }

    /** Where the signing service listens: the public endpoint's host, on the signing port. */
    public Endpoint signingEndpoint() {
        return new Endpoint(publicEndpoint.host(), signingPort);
    }
}
