package dev.meshjoin.core.lighthouse;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.CertificateRequest;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ip.IpAllocator;
import dev.meshjoin.api.ip.Lease;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.ip.StoreIpAllocator;
import dev.meshjoin.api.join.Admission;
import dev.meshjoin.api.join.JoinHandler;
import dev.meshjoin.api.join.JoinResponse;
import dev.meshjoin.core.lifecycle.CertificateLedger;
import dev.meshjoin.core.lifecycle.Revocations;
import dev.meshjoin.core.join.Registrar;
import dev.meshjoin.api.join.SigningServerFactory;
import dev.meshjoin.core.record.StoreKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What makes a node a lighthouse: the network's CA, the allocator of overlay addresses, the
 * registrar that decides joins and the signing service that serves them. The founder, a restarted
 * lighthouse and a promoted one all run one of these; so do the benchmarks and test fixtures that
 * need a signing service without a whole node.
 *
 * <pre>{@code
 * try (Lighthouse lh = Lighthouse.builder(store, "prod").ca(ca).network(cidr)
 *         .admission(admission).signingServers(servers).build()) {
 *     HostCertificate own = lh.certify("lh-1", keys.publicKey(), cidr.addressAt(1), List.of());
 *     lh.claim(cidr.addressAt(1), "lh-1", keys.publicKey(), own.notAfter());
 *     Endpoint serving = lh.serve(new Endpoint("203.0.113.7", 8444), own);
 * }
 * }</pre>
 */
public final class Lighthouse implements AutoCloseable {
    /** The group every lighthouse carries; no joiner may ask for it. The one definition of it. */
    public static final String GROUP = "lighthouse";

    private final BootstrapStore store;
    private final StoreKeys keys;
    private final CertificateAuthority ca;
    private final Ipv4Cidr network;
    private final Duration certificateValidity;
    private final Clock clock;
    private final IpAllocator allocator;
    private final Registrar registrar;
    private final SigningServerFactory signingServers;
    private volatile SigningServerFactory.SigningServer server;
    private final JustAdmitted admitted = new JustAdmitted();

    private Lighthouse(Builder b) {
        this.store = b.store;
        this.keys = b.keys;
        this.ca = Objects.requireNonNull(b.ca, "ca");
        this.network = Objects.requireNonNull(b.network, "network");
        this.certificateValidity = b.certificateValidity;
        this.clock = b.clock;
        this.allocator = b.allocator != null ? b.allocator
                : new StoreIpAllocator(b.store, b.keys, network, b.clock, b.lighthouses);
        if (b.admission == null || b.signingServers == null) {
            throw new ConfigurationException("a lighthouse needs admission and signingServers to serve joins; set them");
        }
        this.registrar = new Registrar(b.store, b.keys, ca, allocator, b.admission, Set.of(GROUP),
                b.certificateValidity, b.clock);
        this.signingServers = b.signingServers;
    }

    /** A lighthouse of {@code network} keeping its state in {@code store}. */
    public static Builder builder(BootstrapStore store, String network) {
        return new Builder(store, StoreKeys.of(network));
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public IpAllocator allocator() {
        return allocator;
    }

    /** The decision-maker the signing service serves. */
    public Registrar registrar() {
        return registrar;
    }

    /** Signs a lighthouse's own certificate: the lighthouse group, then {@code groups}. */
    public HostCertificate certify(String node, byte[] publicKey, Ipv4Address address, List<String> groups) {
        List<String> all = new ArrayList<>();
        all.add(GROUP);
        all.addAll(groups);
        return ca.issue(new CertificateRequest(publicKey, node, address, network.prefixLength(), all, validity(),
                CertificateAuthority.BACKDATE));
    }

    /** The configured certificate validity, cut to end one second before the CA does. */
    public Duration validity() {
        Duration toCaEnd = Duration.between(clock.instant(), ca.caCertificate().notAfter()).minusSeconds(1);
        return toCaEnd.compareTo(certificateValidity) < 0 ? toCaEnd : certificateValidity;
    }

    public StoreKeys keys() {
        return keys;
    }

    public BootstrapStore store() {
        return store;
    }

    public Clock clock() {
        return clock;
    }

    /** Takes a known address for a lighthouse (the founder's first one, a restarted lighthouse's own). */
    public Lease claim(Ipv4Address address, String node, byte[] publicKey, Instant holdUntil) {
        return allocator.claim(address, node, Registrar.keyId(publicKey), holdUntil);
    }

    /** Allocates an address for a new lighthouse, held while the CA is valid. */
    public Lease allocate(String node, byte[] publicKey) {
        return allocator.allocate(node, Registrar.keyId(publicKey), ca.caCertificate().notAfter());
    }

    /**
     * Starts the signing service.
     *
     * @param own this lighthouse's certificate; the service certifies its key with it
     * @return where joiners reach it
     */
    /**
     * The certificate this lighthouse issued moments ago for {@code address}: its state service
     * knows a member it has just admitted even before the store shows that member's lease (on an
     * eventually consistent store, up to a minute later).
     */
    public Optional<HostCertificate> justAdmitted(Ipv4Address address) {
        return admitted.get(address, clock.instant());
    }

    public synchronized Endpoint serve(Endpoint bindTo, HostCertificate own) {
        if (server != null) {
            throw new IllegalStateException("this lighthouse already serves at " + server.endpoint());
        }
        // A revoked node is refused before its credential is even checked, so it spends no token use.
        JoinHandler guarded = (request, source) -> {
            Revocations revocations;
            try {
                revocations = Revocations.read(store, keys);
            } catch (dev.meshjoin.core.trust.TamperedStoreException e) {
                // Without a revocation list the CA signed, nobody is admitted: a forged one could
                // otherwise let a revoked node back in. The operator learns which key from the log.
                org.slf4j.LoggerFactory.getLogger(Lighthouse.class).error("{}", e.getMessage());
                throw new dev.meshjoin.api.JoinRefusedException(dev.meshjoin.api.RefusalReason.OTHER, "the lighthouse"
                        + " cannot read a revocation list signed by the network's CA (" + e.key() + "), so it admits"
                        + " nobody; ask the operator to restore it (meshctl revoke writes it signed)");
            }
            revocations.refuseIfRevoked(request.node(), null, request.publicKey());
            JoinResponse response = registrar.handle(request, source);
            HostCertificate issued = ca.verify(response.certificatePem().getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII), clock.instant());
            CertificateLedger.record(store, keys, issued, clock.instant());
            admitted.remember(issued, clock.instant());
            return response;
        };
        server = signingServers.start(bindTo, guarded, ca, own);
        return server.endpoint();
    }

    /** Renews the signing service's own key with this lighthouse's renewed certificate. */
    public void renewService(HostCertificate own) {
        SigningServerFactory.SigningServer s = server;
        if (s != null) {
            s.renew(ca, own);
        }
    }

    /** The running signing service, while it runs. */
    public Optional<SigningServerFactory.SigningServer> server() {
        return Optional.ofNullable(server);
    }

    /** Where the signing service listens, while it does. */
    public Optional<Endpoint> endpoint() {
        SigningServerFactory.SigningServer s = server;
        return s == null ? Optional.empty() : Optional.of(s.endpoint());
    }

    /** Stops the signing service; the CA and the leases stay. */
    @Override
    public synchronized void close() {
        SigningServerFactory.SigningServer s = server;
        server = null;
        if (s != null) {
            s.close();
        }
    }

    /** Configures a {@link Lighthouse}; each setter's Javadoc gives its default. */
    public static final class Builder {
        private final BootstrapStore store;
        private final StoreKeys keys;
        private CertificateAuthority ca;
        private Ipv4Cidr network;
        private Supplier<Set<Ipv4Address>> lighthouses = Set::of;
        private IpAllocator allocator;
        private Admission admission;
        private SigningServerFactory signingServers;
        private Duration certificateValidity = Duration.ofDays(30);
        private Clock clock = Clock.systemUTC();

        private Builder(BootstrapStore store, StoreKeys keys) {
            this.store = Objects.requireNonNull(store, "store");
            this.keys = keys;
        }

        /** Required: the network's CA, with its private key. */
        public Builder ca(CertificateAuthority v) { this.ca = v; return this; }
        /** Required: the overlay network addresses come from. */
        public Builder network(Ipv4Cidr v) { this.network = v; return this; }
        /** The lighthouses' addresses, read at every allocation so none is handed out; default none. */
        public Builder lighthouses(Supplier<Set<Ipv4Address>> v) { this.lighthouses = v; return this; }
        /** The address allocator; default leases in the store ({@link StoreIpAllocator}). */
        public Builder allocator(IpAllocator v) { this.allocator = v; return this; }
        /** Required: who may join. */
        public Builder admission(Admission v) { this.admission = v; return this; }
        /** Required: starts the signing service. */
        public Builder signingServers(SigningServerFactory v) { this.signingServers = v; return this; }
        /** Validity of the certificates it issues; default 30 days. */
        public Builder certificateValidity(Duration v) { this.certificateValidity = v; return this; }
        /** The clock for leases and certificates; default the system clock. */
        public Builder clock(Clock v) { this.clock = v; return this; }

        public Lighthouse build() {
            return new Lighthouse(this);
        }
    }
}
