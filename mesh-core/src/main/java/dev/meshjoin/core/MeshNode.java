package dev.meshjoin.core;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.JoinRefusedException;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.ca.CertificateRequest;
import dev.meshjoin.api.ca.CertificateVerifier;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.net.Ipv4Interface;
import dev.meshjoin.api.overlay.FirewallRule;
import dev.meshjoin.api.overlay.Lighthouse;
import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.api.overlay.OverlayDriver;
import dev.meshjoin.api.overlay.OverlayException;
import dev.meshjoin.api.overlay.OverlayHealth;
import dev.meshjoin.api.overlay.OverlayState;
import dev.meshjoin.api.secret.SecretCodec;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.core.address.DetectedAddress;
import dev.meshjoin.core.address.PublicAddressDetector;
import dev.meshjoin.core.election.FounderElection;
import dev.meshjoin.core.ip.StoreIpAllocator;
import dev.meshjoin.core.join.Admission;
import dev.meshjoin.core.join.JoinCredentials;
import dev.meshjoin.core.join.JoinRequest;
import dev.meshjoin.core.join.JoinResponse;
import dev.meshjoin.core.join.JoinTransport;
import dev.meshjoin.core.join.Registrar;
import dev.meshjoin.core.join.SigningServerFactory;
import dev.meshjoin.core.presence.EntryPointSpec;
import dev.meshjoin.core.presence.Presence;
import dev.meshjoin.core.record.FounderClaim;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.MemberRecord;
import dev.meshjoin.core.record.NetworkRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import dev.meshjoin.api.retry.RetryPolicy;
import dev.meshjoin.core.retry.RetryingBootstrapStore;
import dev.meshjoin.core.state.LocalState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker's membership of a mesh. {@link #join()} runs one explicit state machine:
 *
 * <pre>
 * NEW → DISCOVERING ─┬─ network exists, this node founded it ─→ RECOVERING ──────────┐
 *                    ├─ network exists ─────────────────────→ JOINING ─→ STARTING_OVERLAY ─→ REGISTERING → READY
 *                    └─ no network → ELECTING ─→ FOUNDING ───────────────────────────┘
 * any failure → FAILED (cause attached) · overlay cannot come up → FALLBACK
 * </pre>
 *
 * <p>The founder creates the CA (its key goes to the store sealed, never to disk), writes the
 * network record with put-if-absent and becomes the first lighthouse with a signing service.
 * Joiners make their own key pair, send only the public key, verify what they get against the CA
 * pinned in the record, and are READY only when their overlay says a peer answered.
 *
 * <pre>{@code
 * try (MeshNode node = MeshNode.builder()
 *         .nodeName("worker-7").networkName("prod")
 *         .store(store).certificateAuthorities(caProvider).overlay(overlay)
 *         .caKeyCodec(salt -> codec).transport(transport).signingServers(servers)
 *         .admission(admission).credentials(credentials)
 *         .publicEndpoint(Endpoint.parse("203.0.113.7:4242"))
 *         .stateDirectory(Path.of("/var/lib/meshjoin"))
 *         .build()) {
 *     NodeStatus status = node.join();
 *     if (status.state() == NodeState.FALLBACK) { useOtherTransport(); }
 * }
 * }</pre>
 */
public final class MeshNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MeshNode.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The group every lighthouse carries; no joiner may ask for it. */
    public static final String LIGHTHOUSE_GROUP = "lighthouse";
    private static final Duration EVENTUAL_MARGIN = Duration.ofSeconds(1);

    private final String nodeName;
    private final StoreKeys keys;
    private final Ipv4Cidr cidr;
    private final List<String> groups;
    private final Endpoint publicEndpoint;
    private final int signingPort;
    private final LocalState local;
    private final BootstrapStore store;
    private final CertificateAuthorityProvider caProvider;
    private final OverlayDriver overlay;
    private final SecretCodecFactory caKeyCodec;
    private final JoinTransport transport;
    private final SigningServerFactory signingServers;
    private final Admission admission;
    private final JoinCredentials credentials;
    private final Clock clock;
    private final Duration joinTimeout;
    private final Duration founderLease;
    private final Duration overlayTimeout;
    private final Duration certificateValidity;
    private final Duration caValidity;
    private final List<FirewallRule> firewall;
    private final Duration heartbeat;
    private final EntryPointSpec entryPoint;
    private final PublicAddressDetector addressDetector;
    private final boolean lighthouse;
    private final List<MeshNodeListener> listeners = new CopyOnWriteArrayList<>();
    private final Object lifecycle = new Object();

    private volatile NodeStatus status;
    private volatile NetworkRecord record;
    private volatile CertificateAuthority ca;
    private volatile HostCertificate certificate;
    private volatile SigningServerFactory.SigningServer signingServer;
    private volatile boolean overlayStarted;
    private volatile boolean founderRole;
    private volatile String pendingCaKey;
    private volatile String observedSource;
    private volatile Presence presence;
    private StoreIpAllocator allocator;

    private MeshNode(Builder b) {
        this.nodeName = StoreKeys.checkName("node name", b.nodeName);
        this.keys = StoreKeys.of(b.networkName);
        this.cidr = Objects.requireNonNull(b.cidr, "cidr");
        for (String g : b.groups) {
            StoreKeys.checkName("group", g);
            if (g.equals(LIGHTHOUSE_GROUP)) {
                throw new ConfigurationException("group '" + LIGHTHOUSE_GROUP + "' is given to lighthouses only; remove it");
            }
        }
        this.groups = List.copyOf(b.groups);
        this.publicEndpoint = b.publicEndpoint;
        this.signingPort = b.signingPort;
        this.local = new LocalState(require(b.stateDirectory, "stateDirectory"));
        this.store = RetryingBootstrapStore.wrap(require(b.store, "store"), b.retryPolicy);
        this.caProvider = require(b.caProvider, "certificateAuthorities");
        this.overlay = require(b.overlay, "overlay");
        this.caKeyCodec = require(b.caKeyCodec, "caKeyCodec");
        this.transport = require(b.transport, "transport");
        this.signingServers = require(b.signingServers, "signingServers");
        this.admission = require(b.admission, "admission");
        this.credentials = require(b.credentials, "credentials");
        this.clock = b.clock;
        this.joinTimeout = b.joinTimeout;
        this.founderLease = b.founderLease;
        this.overlayTimeout = b.overlayTimeout;
        this.certificateValidity = b.certificateValidity;
        this.caValidity = b.caValidity;
        this.firewall = List.copyOf(b.firewall);
        this.heartbeat = b.heartbeat;
        this.entryPoint = b.entryPoint;
        this.addressDetector = b.addressDetector != null ? b.addressDetector : PublicAddressDetector.builder().build();
        this.lighthouse = b.lighthouse;
        if (lighthouse && publicEndpoint == null) {
            throw new ConfigurationException("MeshNode: a lighthouse needs a public endpoint; set publicEndpoint");
        }
        this.listeners.addAll(b.listeners);
        this.status = new NodeStatus(NodeState.NEW, "built", Optional.empty(), Optional.empty(), false, clock.instant());
        overlay.addListener(this::onOverlayChange);
    }

    private static <T> T require(T value, String what) {
        if (value == null) {
            throw new ConfigurationException("MeshNode: " + what + " is required; set it on the builder");
        }
        return value;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String nodeName() {
        return nodeName;
    }

    /** The current status. */
    public NodeStatus status() {
        return status;
    }

    /** The network record this node joined, once known. */
    public Optional<NetworkRecord> networkRecord() {
        return Optional.ofNullable(record);
    }

    /** This node's certificate, once it has one. */
    public Optional<HostCertificate> certificate() {
        return Optional.ofNullable(certificate);
    }

    /** Where this node's signing service listens, when it is a lighthouse. */
    public Optional<Endpoint> signingEndpoint() {
        SigningServerFactory.SigningServer s = signingServer;
        return s == null ? Optional.empty() : Optional.of(s.endpoint());
    }

    public void addListener(MeshNodeListener listener) {
        listeners.add(listener);
    }

    /**
     * Founds or joins the network and returns the state the attempt ended in: {@link NodeState#READY},
     * {@link NodeState#FAILED} or {@link NodeState#FALLBACK}. Never throws for a failed join; the
     * cause is in the returned status.
     *
     * @throws IllegalStateException when the node is already joining or ready
     */
    public NodeStatus join() {
        synchronized (lifecycle) {
            NodeState s = status.state();
            if (s != NodeState.NEW && s != NodeState.FAILED && s != NodeState.FALLBACK && s != NodeState.LEFT) {
                throw new IllegalStateException("node " + nodeName + " is " + s + "; join() runs once until it ends");
            }
            long deadline = System.nanoTime() + joinTimeout.toNanos();
            try {
                transition(NodeState.DISCOVERING, "reading " + keys.network() + " from " + store.name(), null);
                local.prepare();
                runStateMachine(deadline);
            } catch (OverlayException e) {
                stopQuietly();
                transition(NodeState.FALLBACK, "the overlay cannot come up: " + e.getMessage()
                        + "; use another transport", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopQuietly();
                transition(NodeState.FAILED, "interrupted while " + status.state(), e);
            } catch (RuntimeException e) {
                stopQuietly();
                transition(NodeState.FAILED, describe(e), e);
            }
            return status;
        }
    }

    private static String describe(RuntimeException e) {
        return e instanceof MeshException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private void runStateMachine(long deadline) throws InterruptedException {
        Duration backoff = Duration.ofMillis(20);
        FounderElection election = new FounderElection(store, keys, nodeName, founderLease, clock);
        while (true) {
            Optional<Entry> recordEntry = store.get(keys.network());
            if (recordEntry.isPresent()) {
                NetworkRecord rec = Json.read(recordEntry.get().value(), NetworkRecord.class, keys.network());
                if (!store.consistency().isLinearizable() && !awaitStable(rec, deadline)) {
                    continue;
                }
                record = rec;
                checkCompatible(rec);
                Optional<LocalState.Identity> me = local.identity();
                boolean listed = rec.lighthouses().stream().anyMatch(l -> l.name().equals(nodeName));
                if (me.isPresent() && ("founder".equals(me.get().role()) || "lighthouse".equals(me.get().role()))
                        && listed && rec.caFingerprint().equals(me.get().caFingerprint())) {
                    recover(rec);
                } else if (lighthouse && !listed) {
                    becomeLighthouse(rec);
                } else {
                    joinExisting(rec, deadline);
                }
                return;
            }
            if (publicEndpoint == null) {
                transition(NodeState.ELECTING, "no network yet; this node has no public endpoint, so it waits for a founder", null);
            } else {
                transition(NodeState.ELECTING, "no network yet; competing to found it", null);
                Optional<FounderElection.Claim> claim = election.tryClaim();
                if (claim.isPresent()) {
                    boolean founded;
                    try {
                        founded = found(election, claim.get());
                    } catch (RuntimeException | InterruptedException e) {
                        abandonFounding(election, claim.get());
                        throw e;
                    }
                    if (founded) {
                        return;
                    }
                    continue;
                }
            }
            if (System.nanoTime() > deadline) {
                String holder = election.current().map(c -> "; the founder claim is held by " + c.node() + " until "
                        + c.leaseUntil()).orElse("");
                throw new MeshException("no network record appeared in " + store.name() + " within " + joinTimeout
                        + holder + ". Start a node with a public endpoint to found the network, or check the store");
            }
            Thread.sleep(backoff.toMillis());
            backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : backoff.multipliedBy(2);
        }
    }

    private void checkCompatible(NetworkRecord rec) {
        if (!rec.caType().equals(caProvider.type())) {
            throw new ConfigurationException("network " + rec.network() + " uses certificates of type " + rec.caType()
                    + " but this node was built with " + caProvider.type() + "; configure the matching provider");
        }
        if (!rec.cidr().equals(cidr.toString())) {
            LOG.info("network {} uses {} (this node was configured with {}); following the record", rec.network(), rec.cidr(), cidr);
        }
    }

    /**
     * On an eventual store, a record is final only when no competing founder could still write one:
     * twice the propagation bound after it was founded (see docs/store-schema.md).
     */
    private boolean awaitStable(NetworkRecord rec, long deadline) throws InterruptedException {
        Instant stableAt = rec.foundedAt().plus(store.consistency().propagationBound().multipliedBy(2)).plus(EVENTUAL_MARGIN);
        Duration wait = Duration.between(clock.instant(), stableAt);
        if (wait.isNegative() || wait.isZero()) {
            return true;
        }
        if (System.nanoTime() + wait.toNanos() > deadline) {
            throw new MeshException("network " + rec.network() + " was founded moments ago and " + store.name()
                    + " is eventually consistent; it is final at " + stableAt + ", after this join's timeout. Raise joinTimeout");
        }
        transition(status.state(), "network founded at " + rec.foundedAt() + "; waiting until " + stableAt
                + " for the eventually consistent store to settle", null);
        Thread.sleep(wait.toMillis());
        return false;
    }

    private boolean found(FounderElection election, FounderElection.Claim claim) throws InterruptedException {
        transition(NodeState.FOUNDING, "creating the certificate authority for " + keys.networkName(), null);
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        CertificateAuthority newCa = caProvider.create(CaSpec.forNetwork(keys.networkName() + " mesh CA", cidr, caValidity));
        String caFp = newCa.caCertificate().fingerprint();
        String caKeyKey = keys.caKey(caFp);
        SecretCodec codec = caKeyCodec.forNetwork(salt);
        Optional<Entry> sealedKey = store.putIfAbsent(caKeyKey,
                codec.seal(newCa.exportPrivateKey(), caKeyKey.getBytes(StandardCharsets.UTF_8)));
        pendingCaKey = caKeyKey;
        HostKeyPair hostKeys = hostKeys();
        Ipv4Address address = cidr.addressAt(1);
        HostCertificate own = newCa.issue(new CertificateRequest(hostKeys.publicKey(), nodeName, address,
                cidr.prefixLength(), lighthouseGroups(), null));
        Optional<FounderElection.Claim> renewed = election.renew(claim);
        if (renewed.isEmpty()) {
            LOG.warn("{} lost its founder claim while founding; joining instead", nodeName);
            sealedKey.ifPresent(e -> store.delete(caKeyKey, e.version()));
            return false;
        }
        String signing = new Endpoint(publicEndpoint.host(), signingPort).toString();
        NetworkRecord rec = new NetworkRecord(Versioned.SCHEMA, keys.networkName(), cidr.toString(), caProvider.type(),
                newCa.caCertificate().pemText(), caFp,
                List.of(new NetworkRecord.LighthouseEntry(nodeName, address.toString(), List.of(publicEndpoint.toString()), signing)),
                nodeName, clock.instant(), Base64.getEncoder().encodeToString(salt));
        if (store.putIfAbsent(keys.network(), Json.write(rec)).isEmpty()) {
            LOG.warn("{} found a network record written by another founder; joining instead", nodeName);
            sealedKey.ifPresent(e -> store.delete(caKeyKey, e.version()));
            election.release(renewed.get());
            return false;
        }
        if (!store.consistency().isLinearizable()) {
            Duration settle = store.consistency().propagationBound().multipliedBy(2).plus(EVENTUAL_MARGIN);
            transition(NodeState.FOUNDING, "network record written; confirming it after " + settle
                    + " on the eventually consistent store", null);
            Thread.sleep(settle.toMillis());
            Optional<Entry> seen = store.get(keys.network());
            boolean ours = seen.isPresent()
                    && Json.read(seen.get().value(), NetworkRecord.class, keys.network()).caFingerprint().equals(caFp);
            if (!ours) {
                LOG.warn("{}: another founder's network record prevailed; joining it instead", nodeName);
                return false;
            }
        }
        record = rec;
        ca = newCa;
        pendingCaKey = null;
        allocator(rec).claim(address, nodeName, Registrar.keyId(hostKeys.publicKey()), own.notAfter());
        local.saveCertificate(own.pem());
        local.saveIdentity(new LocalState.Identity(keys.networkName(), nodeName, "founder", caFp,
                new Ipv4Interface(address, cidr.prefixLength()).toString()));
        election.release(renewed.get());
        certificate = own;
        founderRole = true;
        LOG.info("{} founded network {} ({}), CA {}", nodeName, keys.networkName(), cidr, caFp);
        startAsLighthouse(rec, hostKeys, own, true);
        return true;
    }

    /**
     * Best effort after a failed founding: give the claim back so the next node need not wait for
     * the lease, and remove this attempt's sealed CA key unless the network record names that CA.
     * When the store is down this fails too, and the claim's time-to-live does the job.
     */
    private void abandonFounding(FounderElection election, FounderElection.Claim claim) {
        try {
            if (record == null || !founderRole) {
                election.release(claim);
                String fp = ca == null ? null : ca.caCertificate().fingerprint();
                if (pendingCaKey != null && (fp == null || record == null)) {
                    store.get(pendingCaKey).ifPresent(e -> store.delete(pendingCaKey, e.version()));
                }
            }
        } catch (RuntimeException e) {
            LOG.info("{}: could not clean up after a failed founding ({}); the claim expires by itself", nodeName, e.getMessage());
        } finally {
            pendingCaKey = null;
        }
    }

    private List<String> lighthouseGroups() {
        List<String> g = new ArrayList<>();
        g.add(LIGHTHOUSE_GROUP);
        g.addAll(groups);
        return g;
    }

    private void recover(NetworkRecord rec) throws InterruptedException {
        transition(NodeState.RECOVERING, "this node is a lighthouse of " + rec.network() + "; taking its role back", null);
        loadCa(rec);
        HostKeyPair hostKeys = local.keyPair().map(k -> new HostKeyPair(k[0], k[1])).orElseThrow(() -> new MeshException(
                "the state directory " + local.directory() + " lacks this lighthouse's key pair; restore it"));
        Ipv4Address address = Ipv4Address.parse(rec.lighthouses().stream().filter(l -> l.name().equals(nodeName))
                .findFirst().orElseThrow(() -> new MeshException(nodeName + " is not a lighthouse in the network record"))
                .overlayAddress());
        HostCertificate own = local.certificate().flatMap(pem -> {
            try {
                HostCertificate c = ca.verify(pem, clock.instant());
                return Arrays.equals(c.publicKey(), hostKeys.publicKey()) && c.address().equals(address)
                        && c.notAfter().isAfter(clock.instant().plus(Duration.ofHours(1))) ? Optional.of(c) : Optional.empty();
            } catch (InvalidCertificateException e) {
                LOG.info("{}: saved certificate no longer usable ({}); issuing a new one", nodeName, e.getMessage());
                return Optional.empty();
            }
        }).orElseGet(() -> ca.issue(new CertificateRequest(hostKeys.publicKey(), nodeName, address, cidr.prefixLength(),
                lighthouseGroups(), null)));
        allocator(rec).claim(address, nodeName, Registrar.keyId(hostKeys.publicKey()), own.notAfter());
        local.saveCertificate(own.pem());
        certificate = own;
        founderRole = rec.founder().equals(nodeName);
        startAsLighthouse(rec, hostKeys, own, founderRole);
    }

    /**
     * Makes this node an additional lighthouse of an existing network: it opens the sealed CA key
     * with its CA passphrase, takes an address, signs its own certificate, adds itself to the
     * network record's lighthouses by compare-and-set and serves joins.
     */
    private void becomeLighthouse(NetworkRecord rec) throws InterruptedException {
        transition(NodeState.RECOVERING, "opening the CA of " + rec.network() + " to serve as an additional lighthouse", null);
        loadCa(rec);
        HostKeyPair hostKeys = hostKeys();
        Ipv4Cidr network = Ipv4Cidr.parse(rec.cidr());
        Instant caEnd = ca.caCertificate().notAfter();
        Ipv4Address address = allocator(rec).allocate(nodeName, Registrar.keyId(hostKeys.publicKey()), caEnd).address();
        HostCertificate own = ca.issue(new CertificateRequest(hostKeys.publicKey(), nodeName, address,
                network.prefixLength(), lighthouseGroups(), null));
        NetworkRecord.LighthouseEntry entry = new NetworkRecord.LighthouseEntry(nodeName, address.toString(),
                List.of(publicEndpoint.toString()), new Endpoint(publicEndpoint.host(), signingPort).toString());
        NetworkRecord updated = null;
        for (int round = 0; updated == null; round++) {
            Entry current = store.get(keys.network()).orElseThrow(() -> new MeshException("the network record "
                    + keys.network() + " disappeared while " + nodeName + " was becoming a lighthouse"));
            NetworkRecord cur = Json.read(current.value(), NetworkRecord.class, keys.network());
            if (!cur.caFingerprint().equals(rec.caFingerprint())) {
                throw new MeshException("the network's CA changed while " + nodeName + " was becoming a lighthouse; join again");
            }
            List<NetworkRecord.LighthouseEntry> lhs = new ArrayList<>(cur.lighthouses());
            lhs.removeIf(l -> l.name().equals(nodeName));
            lhs.add(entry);
            NetworkRecord next = new NetworkRecord(cur.schema(), cur.network(), cur.cidr(), cur.caType(), cur.caBundle(),
                    cur.caFingerprint(), lhs, cur.founder(), cur.foundedAt(), cur.secretSalt());
            if (store.compareAndSet(keys.network(), current.version(), Json.write(next)).isPresent()) {
                updated = next;
            } else if (round >= 8) {
                throw new StoreException(store.name(), "add lighthouse to " + keys.network(),
                        "the network record kept changing", true);
            }
        }
        record = updated;
        local.saveCertificate(own.pem());
        local.saveIdentity(new LocalState.Identity(rec.network(), nodeName, "lighthouse", rec.caFingerprint(),
                new Ipv4Interface(address, network.prefixLength()).toString()));
        certificate = own;
        LOG.info("{} is now a lighthouse of {} at {}", nodeName, rec.network(), address);
        startAsLighthouse(updated, hostKeys, own, false);
    }

    /** Opens the sealed CA key with this node's CA passphrase (its codec) and loads the CA. */
    private void loadCa(NetworkRecord rec) {
        String caKeyKey = keys.caKey(rec.caFingerprint());
        Entry sealed = store.get(caKeyKey).orElseThrow(() -> new MeshException("the sealed CA key " + caKeyKey
                + " is missing from " + store.name() + "; restore it from a backup, or found a new network"));
        SecretCodec codec = caKeyCodec.forNetwork(Base64.getDecoder().decode(rec.secretSalt()));
        byte[] caKey;
        try {
            caKey = codec.open(sealed.value(), caKeyKey.getBytes(StandardCharsets.UTF_8));
        } catch (dev.meshjoin.api.secret.SecretCodecException e) {
            throw new ConfigurationException("cannot open the sealed CA key " + caKeyKey + ": this node's CA passphrase"
                    + " is not the network's. Give it the passphrase the founder was given", e);
        }
        CertificateVerifier trusted = caProvider.verifier(rec.caBundle().getBytes(StandardCharsets.US_ASCII));
        HostCertificate caCert = trusted.trusted().stream().filter(c -> c.fingerprint().equals(rec.caFingerprint()))
                .findFirst().orElseThrow(() -> new MeshException("the network record's CA bundle lacks its signing CA "
                        + rec.caFingerprint() + "; the record is damaged"));
        try {
            ca = caProvider.load(caCert.pem(), caKey);
        } finally {
            Arrays.fill(caKey, (byte) 0);
        }
    }

    /**
     * One allocator per node and network, shared by the node's own claim and its registrar: on an
     * eventual store the allocator remembers its recent writes, which the store may not show yet.
     */
    private synchronized StoreIpAllocator allocator(NetworkRecord rec) {
        StoreIpAllocator a = allocator;
        if (a == null || !a.network().toString().equals(rec.cidr())) {
            a = new StoreIpAllocator(store, keys, Ipv4Cidr.parse(rec.cidr()), clock, () -> {
                NetworkRecord current = record != null ? record : rec;
                Set<Ipv4Address> lh = new java.util.HashSet<>();
                current.lighthouses().forEach(l -> lh.add(Ipv4Address.parse(l.overlayAddress())));
                return lh;
            });
            allocator = a;
        }
        return a;
    }

    private void startAsLighthouse(NetworkRecord rec, HostKeyPair hostKeys, HostCertificate own, boolean founder)
            throws InterruptedException {
        Registrar registrar = new Registrar(store, keys, ca, allocator(rec), admission, Set.of(LIGHTHOUSE_GROUP),
                certificateValidity, clock);
        signingServer = signingServers.start(new Endpoint(bindHost(), signingPort), registrar, ca, own);
        startOverlay(rec, hostKeys, own, true);
        register(own, "lighthouse", founder);
    }

    private String bindHost() {
        return publicEndpoint.host();
    }

    private void joinExisting(NetworkRecord rec, long deadline) throws InterruptedException {
        transition(NodeState.JOINING, "asking a lighthouse of " + rec.network() + " for a certificate", null);
        CertificateVerifier verifier = caProvider.verifier(rec.caBundle().getBytes(StandardCharsets.US_ASCII));
        HostKeyPair hostKeys = hostKeys();
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        byte[] proof = credentials.proofFor(rec, nodeName, hostKeys.publicKey(), nonce);
        JoinRequest request = new JoinRequest(rec.network(), nodeName, hostKeys.publicKey(), groups, nonce, proof);
        JoinResponse response = null;
        MeshException lastError = null;
        Duration backoff = Duration.ofMillis(50);
        // A lighthouse that has just founded may not serve yet: try every lighthouse, then back off.
        while (response == null) {
            for (NetworkRecord.LighthouseEntry lh : rec.lighthouses()) {
                try {
                    response = transport.join(Endpoint.parse(lh.signingEndpoint()), request, rec);
                    break;
                } catch (JoinRefusedException e) {
                    throw e;
                } catch (MeshException e) {
                    LOG.debug("{}: lighthouse {} did not answer: {}", nodeName, lh.name(), e.getMessage());
                    lastError = e;
                }
            }
            if (response != null || System.nanoTime() + backoff.toNanos() > deadline) {
                break;
            }
            // One status per failed round, so whoever watches the node sees what it waits for.
            transition(NodeState.JOINING, "no lighthouse answered yet (" + lastError.getMessage() + "); retrying in "
                    + backoff.toMillis() + " ms", null);
            Thread.sleep(backoff.toMillis());
            backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2) : backoff.multipliedBy(2);
        }
        if (response == null) {
            throw new MeshException("no lighthouse of " + rec.network() + " answered the join request"
                    + (lastError == null ? "" : " (last: " + lastError.getMessage() + ")")
                    + "; check that a lighthouse runs and its signing service is reachable", lastError);
        }
        HostCertificate cert = verifyOwnCertificate(verifier, response, hostKeys, rec);
        observedSource = response.observedSource();
        local.saveCertificate(cert.pem());
        local.saveIdentity(new LocalState.Identity(rec.network(), nodeName, "member", rec.caFingerprint(),
                cert.addresses().get(0).toString()));
        certificate = cert;
        startOverlay(rec, hostKeys, cert, false);
        register(cert, "member", false);
    }

    private HostCertificate verifyOwnCertificate(CertificateVerifier verifier, JoinResponse response, HostKeyPair hostKeys,
                                                 NetworkRecord rec) {
        HostCertificate cert = verifier.verify(response.certificatePem().getBytes(StandardCharsets.US_ASCII), clock.instant());
        if (!Arrays.equals(cert.publicKey(), hostKeys.publicKey())) {
            throw new InvalidCertificateException(InvalidCertificateException.Reason.KEY_MISMATCH,
                    "the lighthouse returned a certificate for another key; refusing it");
        }
        if (!cert.name().equals(nodeName)) {
            throw new InvalidCertificateException(InvalidCertificateException.Reason.CONSTRAINT_VIOLATION,
                    "the lighthouse returned a certificate named " + cert.name() + ", not " + nodeName);
        }
        Ipv4Cidr network = Ipv4Cidr.parse(rec.cidr());
        if (cert.addresses().size() != 1 || !network.contains(cert.address())
                || !cert.addresses().get(0).toString().equals(response.address())) {
            throw new InvalidCertificateException(InvalidCertificateException.Reason.CONSTRAINT_VIOLATION,
                    "the lighthouse returned a certificate for " + cert.addresses() + ", outside " + network
                            + " or unlike the address it announced");
        }
        return cert;
    }

    private HostKeyPair hostKeys() {
        Optional<byte[][]> saved = local.keyPair();
        if (saved.isPresent()) {
            return new HostKeyPair(saved.get()[0], saved.get()[1]);
        }
        HostKeyPair fresh = caProvider.newHostKeyPair();
        local.saveKeyPair(fresh.publicKey(), fresh.privateKey());
        return fresh;
    }

    private void startOverlay(NetworkRecord rec, HostKeyPair hostKeys, HostCertificate cert, boolean lighthouse)
            throws InterruptedException {
        transition(NodeState.STARTING_OVERLAY, "starting the overlay at " + cert.addresses().get(0), null);
        List<Lighthouse> lighthouses = new ArrayList<>();
        for (NetworkRecord.LighthouseEntry lh : rec.lighthouses()) {
            lighthouses.add(new Lighthouse(lh.name(), Ipv4Address.parse(lh.overlayAddress()),
                    lh.endpoints().stream().map(Endpoint::parse).toList()));
        }
        OverlayConfig config = OverlayConfig.builder()
                .nodeName(nodeName)
                .address(cert.addresses().get(0))
                .certificatePem(cert.pem())
                .privateKey(hostKeys.privateKey())
                .caBundlePem(rec.caBundle().getBytes(StandardCharsets.US_ASCII))
                .lighthouses(lighthouses)
                .lighthouse(lighthouse)
                .listenPort(lighthouse ? publicEndpoint.port() : 0)
                .firewall(firewall)
                .stateDirectory(local.directory().resolve("overlay"))
                .build();
        overlay.start(config);
        overlayStarted = true;
        if (!overlay.awaitUp(overlayTimeout)) {
            throw new OverlayException("no peer answered over the overlay within " + overlayTimeout + " ("
                    + overlay.health().detail() + ")");
        }
    }

    private void register(HostCertificate cert, String role, boolean founder) {
        transition(NodeState.REGISTERING, "writing " + keys.member(nodeName), null);
        MemberRecord rec = new MemberRecord(Versioned.SCHEMA, nodeName, cert.address().toString(), cert.groups(), role,
                publicEndpoint == null ? null : publicEndpoint.toString(), cert.fingerprint(), cert.notAfter(), clock.instant());
        String key = keys.member(nodeName);
        for (int round = 0; ; round++) {
            Optional<Entry> current = store.get(key);
            boolean written = current.isEmpty() ? store.putIfAbsent(key, Json.write(rec)).isPresent()
                    : store.compareAndSet(key, current.get().version(), Json.write(rec)).isPresent();
            if (written) {
                break;
            }
            if (round >= 5) {
                throw new StoreException(store.name(), "register " + key, "the member record kept changing", true);
            }
        }
        Presence p = new Presence(store, keys, nodeName, clock, heartbeat, entryPoint,
                () -> addressDetector.detect(Optional.ofNullable(observedSource)).map(DetectedAddress::address),
                cert.address().toString());
        presence = p;
        p.start();
        NodeStatus ready = new NodeStatus(NodeState.READY, "on the mesh at " + cert.addresses().get(0),
                Optional.empty(), Optional.of(cert.addresses().get(0)), founder, clock.instant());
        publish(ready);
    }

    private void onOverlayChange(OverlayHealth previous, OverlayHealth current) {
        NodeState s = status.state();
        if (s == NodeState.STARTING_OVERLAY && current.state() == OverlayState.STARTING) {
            transition(NodeState.STARTING_OVERLAY, "overlay: " + current.detail() + "; waiting up to " + overlayTimeout
                    + " for a peer to answer over it", null);
        } else if (s == NodeState.READY && current.state() == OverlayState.DEGRADED) {
            transition(NodeState.DEGRADED, "overlay degraded: " + current.detail(), null);
        } else if (s == NodeState.DEGRADED && current.state() == OverlayState.UP) {
            transition(NodeState.READY, "overlay recovered: " + current.detail(), null);
        } else if ((s == NodeState.READY || s == NodeState.DEGRADED) && current.state() == OverlayState.FAILED) {
            transition(NodeState.FALLBACK, "the overlay failed: " + current.detail() + "; use another transport",
                    new OverlayException(current.detail()));
        }
    }

    /**
     * Stops the overlay and the signing service and keeps the membership: a node rebuilt with the
     * same state directory comes back with the same address (and a founder as founder).
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            NodeState s = status.state();
            if (s == NodeState.LEFT || s == NodeState.NEW) {
                return;
            }
            transition(NodeState.LEAVING, "stopping", null);
            stopQuietly();
            transition(NodeState.LEFT, "stopped", null);
        }
    }

    /**
     * Leaves the network for good: stops, removes the member record and releases the address (it
     * stays reserved until its certificate expires). Lighthouses keep their address.
     */
    public void leave() {
        synchronized (lifecycle) {
            NodeStatus before = status;
            transition(NodeState.LEAVING, "leaving the network", null);
            stopQuietly();
            if (record != null && before.state() != NodeState.NEW) {
                String key = keys.member(nodeName);
                store.get(key).ifPresent(e -> store.delete(key, e.version()));
                boolean lighthouse = record.lighthouses().stream().anyMatch(l -> l.name().equals(nodeName));
                if (!lighthouse) {
                    allocator(record).release(nodeName);
                    local.forgetMembership();
                }
            }
            transition(NodeState.LEFT, "left the network", null);
        }
    }

    /**
     * This node's public address as detection finds it now: the operator's setting, else what the
     * lighthouse saw this node's join request come from, else echo endpoints, else interfaces.
     */
    public Optional<DetectedAddress> publicAddress() {
        return addressDetector.detect(Optional.ofNullable(observedSource));
    }

    /** The entry points of this node's network that are live now. */
    public List<dev.meshjoin.core.record.EntryPointRecord> liveEntryPoints() {
        return new dev.meshjoin.core.presence.EntryPoints(store, keys, clock).live();
    }

    /** This node's heartbeat, once READY. */
    public Optional<Presence> presence() {
        return Optional.ofNullable(presence);
    }

    private void stopQuietly() {
        Presence p = presence;
        presence = null;
        if (p != null) {
            p.close();
        }
        SigningServerFactory.SigningServer s = signingServer;
        signingServer = null;
        if (s != null) {
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.warn("{}: stopping the signing service failed: {}", nodeName, e.getMessage());
            }
        }
        if (overlayStarted) {
            overlayStarted = false;
            try {
                overlay.stop();
            } catch (RuntimeException e) {
                LOG.warn("{}: stopping the overlay failed: {}", nodeName, e.getMessage());
            }
        }
    }

    private void transition(NodeState to, String detail, Throwable cause) {
        NodeStatus prev = status;
        publish(new NodeStatus(to, detail, Optional.ofNullable(cause),
                certificate == null ? Optional.empty() : Optional.of(certificate.addresses().get(0)),
                founderRole, clock.instant()));
    }

    private void publish(NodeStatus next) {
        NodeStatus prev = status;
        status = next;
        if (next.state() == NodeState.FAILED || next.state() == NodeState.FALLBACK) {
            LOG.warn("{}: {} -> {}: {}", nodeName, prev.state(), next.state(), next.detail());
        } else {
            LOG.debug("{}: {} -> {}: {}", nodeName, prev.state(), next.state(), next.detail());
        }
        for (MeshNodeListener l : listeners) {
            try {
                l.onStateChange(prev, next);
            } catch (RuntimeException e) {
                LOG.warn("{}: a state listener failed: {}", nodeName, e.toString());
            }
        }
    }

    /** Builds a {@link MeshNode}; the Javadoc of each setter gives its default. */
    public static final class Builder {
        private String nodeName;
        private String networkName = "mesh";
        private Ipv4Cidr cidr = Ipv4Cidr.parse("10.42.0.0/16");
        private List<String> groups = List.of();
        private Endpoint publicEndpoint;
        private int signingPort = 8444;
        private Path stateDirectory;
        private BootstrapStore store;
        private CertificateAuthorityProvider caProvider;
        private OverlayDriver overlay;
        private SecretCodecFactory caKeyCodec;
        private JoinTransport transport;
        private SigningServerFactory signingServers;
        private Admission admission;
        private JoinCredentials credentials;
        private Clock clock = Clock.systemUTC();
        private Duration joinTimeout = Duration.ofMinutes(2);
        private Duration founderLease = Duration.ofSeconds(30);
        private Duration overlayTimeout = Duration.ofSeconds(30);
        private Duration certificateValidity = Duration.ofDays(30);
        private Duration caValidity = Duration.ofDays(365);
        private RetryPolicy retryPolicy = RetryPolicy.defaultPolicy();
        private List<FirewallRule> firewall = List.of();
        private Duration heartbeat = Duration.ofMinutes(30);
        private EntryPointSpec entryPoint;
        private PublicAddressDetector addressDetector;
        private boolean lighthouse;
        private final List<MeshNodeListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /** Required: this node's name, a DNS label unique in the network. */
        public Builder nodeName(String v) { this.nodeName = v; return this; }
        /** The network to found or join; default {@code mesh}. */
        public Builder networkName(String v) { this.networkName = v; return this; }
        /** The overlay network a founder creates; default {@code 10.42.0.0/16}. Joiners follow the record. */
        public Builder cidr(Ipv4Cidr v) { this.cidr = v; return this; }
        /** Groups this node asks for; the signing service grants what its credential allows. */
        public Builder groups(List<String> v) { this.groups = List.copyOf(v); return this; }
        /** Where peers reach this node's overlay daemon; a node without one never founds. */
        public Builder publicEndpoint(Endpoint v) { this.publicEndpoint = v; return this; }
        /** The signing service's port on a lighthouse; default 8444. */
        public Builder signingPort(int v) { this.signingPort = v; return this; }
        /** Required: where this node keeps its key pair and certificate (0700). */
        public Builder stateDirectory(Path v) { this.stateDirectory = v; return this; }
        /** Required: the bootstrap store. */
        public Builder store(BootstrapStore v) { this.store = v; return this; }
        /** Required: the certificate format (Nebula's in production). */
        public Builder certificateAuthorities(CertificateAuthorityProvider v) { this.caProvider = v; return this; }
        /** Required: the overlay driver. */
        public Builder overlay(OverlayDriver v) { this.overlay = v; return this; }
        /** Required: seals the CA key in the store; keyed by the CA passphrase and the network's salt. */
        public Builder caKeyCodec(SecretCodecFactory v) { this.caKeyCodec = v; return this; }
        /** Required: carries join requests to lighthouses. */
        public Builder transport(JoinTransport v) { this.transport = v; return this; }
        /** Required: starts the signing service when this node is a lighthouse. */
        public Builder signingServers(SigningServerFactory v) { this.signingServers = v; return this; }
        /** Required: who may join, when this node is a lighthouse. */
        public Builder admission(Admission v) { this.admission = v; return this; }
        /** Required: this node's proof of its right to join. */
        public Builder credentials(JoinCredentials v) { this.credentials = v; return this; }
        /** The clock for records, leases and certificates; default the system clock. */
        public Builder clock(Clock v) { this.clock = v; return this; }
        /** How long join() may take in all; default 2 minutes. */
        public Builder joinTimeout(Duration v) { this.joinTimeout = v; return this; }
        /** How long a founder claim lives without renewal; default 30 s (at least the store's minimum TTL). */
        public Builder founderLease(Duration v) { this.founderLease = v; return this; }
        /** How long to wait for a peer to answer over the overlay; default 30 s. */
        public Builder overlayTimeout(Duration v) { this.overlayTimeout = v; return this; }
        /** Validity of host certificates; default 30 days. */
        public Builder certificateValidity(Duration v) { this.certificateValidity = v; return this; }
        /** Validity of a new CA; default 365 days. */
        public Builder caValidity(Duration v) { this.caValidity = v; return this; }
        /** Retries of store operations that may pass; default 5 attempts, 100 ms to 2 s. */
        public Builder retryPolicy(RetryPolicy v) { this.retryPolicy = v; return this; }
        /** Overlay firewall rules; default the overlay driver's documented default. */
        public Builder firewall(List<FirewallRule> v) { this.firewall = List.copyOf(v); return this; }
        /** How often a ready node refreshes its member and entry-point records; default 30 minutes. */
        public Builder heartbeat(Duration v) { this.heartbeat = v; return this; }
        /** Publish this node as an entry point while the port accepts connections; default none. */
        public Builder entryPoint(EntryPointSpec v) { this.entryPoint = v; return this; }
        /** How to find this node's public address; default: the lighthouse's observation, then interfaces. */
        public Builder publicAddressDetector(PublicAddressDetector v) { this.addressDetector = v; return this; }
        /**
         * Serve as a lighthouse of an existing network too; default false (only the founder is one).
         * Needs a public endpoint and the CA passphrase: {@link #caKeyCodec} must open the sealed CA key.
         */
        public Builder lighthouse(boolean v) { this.lighthouse = v; return this; }
        /** Adds a listener told of every state change. */
        public Builder listener(MeshNodeListener v) { this.listeners.add(v); return this; }

        public MeshNode build() {
            return new MeshNode(this);
        }
    }
}
