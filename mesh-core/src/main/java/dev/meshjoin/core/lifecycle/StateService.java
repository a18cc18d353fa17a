package dev.meshjoin.core.lifecycle;

import dev.meshjoin.api.JoinRefusedException;
import dev.meshjoin.api.RefusalReason;
import dev.meshjoin.api.ca.CertificateRequest;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.core.join.Registrar;
import dev.meshjoin.core.lighthouse.Lighthouse;
import dev.meshjoin.core.record.IssuedCertificates;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.LeaseRecord;
import dev.meshjoin.core.record.MemberRecord;
import dev.meshjoin.core.record.Members;
import dev.meshjoin.core.record.NetworkRecord;
import dev.meshjoin.core.record.NetworkRecords;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.core.record.Role;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import dev.meshjoin.core.registry.RegistryWire;
import dev.meshjoin.core.registry.ServiceView;
import dev.meshjoin.core.state.Beat;
import dev.meshjoin.core.state.MemberState;
import dev.meshjoin.core.state.NetworkState;
import dev.meshjoin.core.state.StateDocument;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lighthouse's state service: answers members' polls with the state document and renews their
 * certificates. A caller is who holds the lease of its source overlay address (Nebula proved it
 * holds a certificate for that address); the service reads the lease once per caller and keeps it.
 * The network record and the revocations are read from the store by {@link #refresh}, never per poll.
 */
public final class StateService implements StateHandler {
    private static final Logger LOG = LoggerFactory.getLogger(StateService.class);

    private volatile Lighthouse lighthouse;
    private final StoreKeys keys;
    private final LivePresence presence;
    private final ServiceView services;
    private final Map<Ipv4Address, Caller> callers = new ConcurrentHashMap<>();
    private volatile NetworkView network;
    private volatile Revocations revocations;
    private volatile Signed signed;

    /** What the service knows of one caller. */
    private record Caller(String node, String keyId, Role role, List<String> groups, String fingerprint,
                          Instant notAfter, Instant renewAt) {
        Caller renewed(HostCertificate cert) {
            return new Caller(node, keyId, role, groups, cert.fingerprint(), cert.notAfter(),
                    MemberState.renewAt(cert.notBefore(), cert.notAfter()));
        }

        /** A caller known from the certificate it was just issued, before the store shows its lease. */
        static Caller issued(HostCertificate cert, Role role) {
            return new Caller(cert.name(), Registrar.keyId(cert.publicKey()), role, cert.groups(), null, null, null)
                    .renewed(cert);
        }
    }

    /** A state service whose registry drops a silent node's instances after 37.5 s (two and a half default polls). */
    public StateService(Lighthouse lighthouse, NetworkView network, LivePresence presence) {
        this(lighthouse, network, presence, null);
    }

    /** @param services the live service instances its members announce; null for the default */
    public StateService(Lighthouse lighthouse, NetworkView network, LivePresence presence, ServiceView services) {
        this.lighthouse = lighthouse;
        this.keys = lighthouse.keys();
        this.network = network;
        this.presence = presence;
        this.services = services != null ? services : new ServiceView(lighthouse.store(), keys,
                presence.lighthouse(), lighthouse.clock(), java.time.Duration.ofMillis(37_500));
        this.revocations = Revocations.read(lighthouse.store(), keys);
    }

    /** Reads the revocations, and the network record too when {@code withNetwork}; keeps the old ones when the store fails. */
    public void refresh(boolean withNetwork) {
        try {
            Revocations r = Revocations.read(lighthouse.store(), keys);
            if (r.version() != revocations.version()) {
                r.all().forEach(x -> {
                    presence.forget(x.node());
                    services.forget(x.node());
                });
                callers.values().removeIf(c -> r.of(c.node()).isPresent());
            }
            revocations = r;
            if (withNetwork) {
                NetworkRecords.read(lighthouse.store(), keys).ifPresent(n -> network = n);
            }
        } catch (RuntimeException e) {
            LOG.warn("refreshing the network state from the store failed ({}); serving the last one", e.getMessage());
        }
    }

    /**
     * Renews with {@code next} from here on: the lighthouse's new signing CA after a rotation, so that
     * renewals move members to it.
     */
    public void signWith(Lighthouse next) {
        lighthouse = java.util.Objects.requireNonNull(next, "next");
    }

    /** Serves {@code now} as the network record from here on (its lighthouse watch read it already). */
    public void adopt(NetworkView now) {
        network = java.util.Objects.requireNonNull(now, "now");
    }

    public NetworkView network() {
        return network;
    }

    public Revocations revocations() {
        return revocations;
    }

    public LivePresence presence() {
        return presence;
    }

    /** The live service instances this lighthouse knows from its members' polls. */
    public ServiceView services() {
        return services;
    }

    @Override
    public List<RegistryWire.Found> services(Ipv4Address caller, String name) {
        identify(caller, null);
        return services.lookup(name);
    }

    /** The network-wide part of the document, as it stands. */
    public NetworkState networkState() {
        NetworkView n = network;
        List<NetworkRecord.LighthouseEntry> lhs = new ArrayList<>(n.record().lighthouses());
        lhs.sort(Comparator.comparing(NetworkRecord.LighthouseEntry::name));
        return new NetworkState(n.name(), n.caType(), n.record().caBundle(), n.caFingerprint(), lhs,
                revocations.blocklist(lighthouse.clock().instant()));
    }

    /**
     * The CA's signatures over the network part, made once per distinct state: the document is
     * served to every member every poll, and the same state must give the same bytes (ETag).
     */
    private java.util.List<dev.meshjoin.core.trust.RecordSignature> sign(NetworkState state) {
        Signed last = signed;
        if (last != null && last.state().equals(state)) {
            return last.signatures();
        }
        com.fasterxml.jackson.databind.JsonNode tree = Json.mapper().valueToTree(state);
        java.util.List<dev.meshjoin.core.trust.RecordSignature> sigs = dev.meshjoin.core.trust.TrustedStore
                .trustOf(lighthouse.store())
                .map(t -> t.signStatement(StateDocument.signedContext(keys), tree))
                .orElse(java.util.List.of());
        signed = new Signed(state, sigs);
        return sigs;
    }

    private record Signed(NetworkState state, java.util.List<dev.meshjoin.core.trust.RecordSignature> signatures) {
    }

    @Override
    public Answer state(Ipv4Address caller, String ifNoneMatch, Beat beat) {
        Caller c = identify(caller, beat.certificateFingerprint());
        if (revocations.revoked(c.node(), beat.certificateFingerprint(), null)) {
            presence.forget(c.node());
            services.forget(c.node());
            revocations.refuseIfRevoked(c.node(), beat.certificateFingerprint(), null);
        }
        if (beat.leaving()) {
            // Members only read the store: the lighthouse a member says goodbye to removes its record
            // and releases its address (held until its last certificate expires).
            presence.forget(c.node());
            services.forget(c.node());
            if (!network.isLighthouse(c.node())) {
                String key = keys.member(c.node());
                lighthouse.store().get(key).ifPresent(e -> lighthouse.store().delete(key, e.version()));
                lighthouse.allocator().release(c.node());
                callers.remove(caller);
            }
        } else {
            presence.seen(c.node(), caller, beat);
            services.seen(c.node(), caller, beat.services(), beat.load());
        }
        NetworkState state = networkState();
        StateDocument doc = new StateDocument(Versioned.SCHEMA, state,
                new MemberState(c.node(), caller.toString(), c.fingerprint(), c.notAfter(), c.renewAt()), sign(state));
        String etag = doc.etag();
        return etag.equals(ifNoneMatch) ? Answer.notModified(etag) : new Answer(doc, etag);
    }

    @Override
    public String renew(Ipv4Address caller, byte[] publicKey) {
        Revocations fresh = Revocations.read(lighthouse.store(), keys);
        revocations = fresh;
        callers.remove(caller);
        Caller c = identify(caller, null);
        fresh.refuseIfRevoked(c.node(), null, publicKey);
        if (!Registrar.keyId(publicKey).equals(c.keyId())) {
            throw new JoinRefusedException(RefusalReason.KEY_MISMATCH, "overlay address " + caller + " is leased to another key;"
                    + " a node renews with the key it joined with");
        }
        Instant now = lighthouse.clock().instant();
        Instant notAfter = now.plus(lighthouse.validity());
        lighthouse.allocator().extend(c.node(), c.keyId(), notAfter);
        HostCertificate cert = lighthouse.ca().issue(new CertificateRequest(publicKey, c.node(), caller,
                lighthouse.allocator().network().prefixLength(), c.groups(), lighthouse.validity(),
                dev.meshjoin.api.ca.CertificateAuthority.BACKDATE));
        CertificateLedger.record(lighthouse.store(), keys, cert, now);
        updateMember(c, cert);
        callers.put(caller, c.renewed(cert));
        LOG.info("renewed {} at {}: certificate {} until {}", c.node(), caller, cert.fingerprint(), cert.notAfter());
        return cert.pemText();
    }

    private void updateMember(Caller c, HostCertificate cert) {
        MemberRecord cur = lighthouse.store().get(keys.member(c.node()))
                .map(e -> Json.read(e.value(), MemberRecord.class, e.key())).orElse(null);
        MemberRecord next = new MemberRecord(Versioned.SCHEMA, c.node(), cert.address().toString(), cert.groups(),
                cur == null ? c.role() : cur.role(), cur == null ? null : cur.publicEndpoint(), cert.fingerprint(),
                cert.notAfter(), lighthouse.clock().instant(), cert.issuer());
        if (!Members.upsert(lighthouse.store(), keys, next)) {
            LOG.warn("the member record of {} kept changing; it names an older certificate", c.node());
        }
    }

    /** The caller at {@code address}: from memory, or read from its lease when unknown or its certificate changed. */
    private Caller identify(Ipv4Address address, String fingerprint) {
        Caller known = callers.get(address);
        if (known != null && (fingerprint == null || fingerprint.equals(known.fingerprint()))) {
            return known;
        }
        Caller c = lookUp(address);
        callers.put(address, c);
        return c;
    }

    private Caller lookUp(Ipv4Address address) {
        Instant now = lighthouse.clock().instant();
        Optional<LeaseRecord> held = lighthouse.store().get(keys.lease(address))
                .map(e -> Json.read(e.value(), LeaseRecord.class, e.key()))
                .filter(l -> !l.pending() && l.releasedAt() == null);
        if (held.isEmpty()) {
            // Admitted here moments ago, its lease not visible yet on an eventually consistent store.
            Optional<HostCertificate> fresh = lighthouse.justAdmitted(address);
            if (fresh.isPresent() && !revocations.revoked(fresh.get().name(), fresh.get().fingerprint(), fresh.get().publicKey())) {
                HostCertificate cert = fresh.get();
                return Caller.issued(cert, network.isLighthouse(cert.name()) ? Role.LIGHTHOUSE : Role.MEMBER);
            }
        }
        LeaseRecord lease = held
                .orElseThrow(() -> new JoinRefusedException(RefusalReason.UNKNOWN_CALLER, "no node holds overlay address "
                        + address + " in this network; join it first"));
        Optional<MemberRecord> member = lighthouse.store().get(keys.member(lease.node()))
                .map(e -> Json.read(e.value(), MemberRecord.class, e.key()));
        List<IssuedCertificates.Issued> issued = CertificateLedger.of(lighthouse.store(), keys, lease.node(), now);
        boolean isLighthouse = network.isLighthouse(lease.node());
        Role role = isLighthouse ? member.map(MemberRecord::role).filter(Role::servesJoins).orElse(Role.LIGHTHOUSE)
                : Role.MEMBER;
        List<String> groups = new ArrayList<>(member.map(MemberRecord::groups).orElse(List.of()));
        groups.remove(Lighthouse.GROUP);
        if (isLighthouse) {
            groups.add(0, Lighthouse.GROUP);
        }
        if (!issued.isEmpty()) {
            IssuedCertificates.Issued last = issued.get(issued.size() - 1);
            return new Caller(lease.node(), lease.keyId(), role, groups, last.fingerprint(), last.notAfter(),
                    MemberState.renewAt(last.notBefore(), last.notAfter()));
        }
        // Joined before certificates were recorded: renew a third of a lifetime before its end.
        String fp = member.map(MemberRecord::certificateFingerprint).orElse("unknown");
        Instant notAfter = member.map(MemberRecord::certificateNotAfter).orElse(lease.holdUntil());
        return new Caller(lease.node(), lease.keyId(), role, groups, fp, notAfter,
                notAfter.minus(lighthouse.validity().dividedBy(3)));
    }
}
