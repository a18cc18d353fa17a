package dev.meshjoin.core.join;

import dev.meshjoin.api.RefusalReason;
import dev.meshjoin.api.join.JoinResponse;
import dev.meshjoin.api.join.JoinRequest;
import dev.meshjoin.api.join.JoinHandler;
import dev.meshjoin.api.join.Admission;
import dev.meshjoin.api.JoinRefusedException;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.CertificateRequest;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ip.AllocationException;
import dev.meshjoin.api.ip.IpAllocator;
import dev.meshjoin.api.ip.Lease;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.MemberRecord;
import dev.meshjoin.core.record.Members;
import dev.meshjoin.core.record.Role;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lighthouse's decision-maker for joins: it admits the request, validates the name, grants
 * only allowed groups, allocates the address, has the CA sign the node's own public key, and
 * records the member. The client decides nothing.
 */
public final class Registrar implements JoinHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Registrar.class);

    private static final Duration SIGNING_SLACK = Duration.ofSeconds(5);

    private final BootstrapStore store;
    private final StoreKeys keys;
    private final CertificateAuthority ca;
    private final IpAllocator allocator;
    private final Admission admission;
    private final Set<String> reservedGroups;
    private final Duration certificateValidity;
    private final Clock clock;

    /**
     * @param reservedGroups groups no joiner may receive (the lighthouses' own)
     * @param certificateValidity how long issued certificates last
     */
    public Registrar(BootstrapStore store, StoreKeys keys, CertificateAuthority ca, IpAllocator allocator,
                     Admission admission, Set<String> reservedGroups, Duration certificateValidity, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.ca = ca;
        this.allocator = allocator;
        this.admission = admission;
        this.reservedGroups = Set.copyOf(reservedGroups);
        this.certificateValidity = certificateValidity;
        this.clock = clock;
    }

    /** The lower-case hex SHA-256 of a public key: how leases recognise a node's key. */
    public static String keyId(byte[] publicKey) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(publicKey));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    @Override
    public JoinResponse handle(JoinRequest request, String source) {
        if (!request.network().equals(keys.networkName())) {
            throw new JoinRefusedException(RefusalReason.WRONG_NETWORK, "this lighthouse serves network " + keys.networkName()
                    + ", not the one requested");
        }
        try {
            StoreKeys.checkName("node name", request.node());
        } catch (RuntimeException e) {
            throw new JoinRefusedException(RefusalReason.INVALID_NAME, e.getMessage());
        }
        if (request.publicKey().length != 32) {
            throw new JoinRefusedException(RefusalReason.INVALID_KEY, "the public key must be 32 bytes, got " + request.publicKey().length);
        }
        // Reserved groups are refused before the credential is checked, so such a request never
        // consumes a use of an enrollment token.
        for (String group : request.groups()) {
            if (reservedGroups.contains(group)) {
                throw new JoinRefusedException(RefusalReason.RESERVED_GROUP, "group '" + group + "' is reserved for lighthouses");
            }
        }
        List<String> allowed = admission.admit(request, source);
        List<String> granted = new ArrayList<>();
        for (String group : request.groups()) {
            if (!allowed.contains(group)) {
                throw new JoinRefusedException(RefusalReason.GROUP_NOT_ALLOWED, "the credential does not grant group '" + group + "'");
            }
            if (!granted.contains(group)) {
                granted.add(group);
            }
        }
        Instant notAfter = clock.instant().plus(certificateValidity);
        Instant caNotAfter = ca.caCertificate().notAfter();
        if (notAfter.isAfter(caNotAfter)) {
            notAfter = caNotAfter.minusSeconds(1);
        }
        // A lease this attempt creates is released again if the attempt fails, so a failed join
        // holds no address; a re-join's existing lease stays (its certificate is still valid).
        // Told by its allocation time, which costs no extra store read.
        Instant before = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Lease lease;
        try {
            // The CA counts validity from its own "now", a moment later, in whole seconds: hold the
            // address a little longer than asked so it never ends before the certificate does.
            lease = allocator.allocate(request.node(), keyId(request.publicKey()), notAfter.plus(SIGNING_SLACK));
        } catch (dev.meshjoin.api.ip.AllocationDeferredException e) {
            // Not a refusal of this node: the joiner asks again (or another lighthouse) a moment later.
            throw new JoinRefusedException(RefusalReason.BUSY, e.getMessage());
        } catch (AllocationException e) {
            throw new JoinRefusedException(RefusalReason.NO_ADDRESS, e.getMessage());
        }
        boolean fresh = !lease.allocatedAt().isBefore(before);
        HostCertificate cert;
        try {
            cert = ca.issue(new CertificateRequest(request.publicKey(), request.node(), lease.address(),
                    allocator.network().prefixLength(), granted, Duration.between(clock.instant(), notAfter),
                    CertificateAuthority.BACKDATE));
            recordMember(request.node(), cert, granted);
        } catch (RuntimeException e) {
            if (fresh) {
                releaseAfterFailure(request.node(), e);
            }
            throw e;
        }
        // The signing service's audit log reports each admission once, at INFO; this is the detail.
        LOG.debug("admitted {} from {} at {} (certificate {})", request.node(), source, lease.address(), cert.fingerprint());
        return new JoinResponse(cert.pemText(), lease.address() + "/" + allocator.network().prefixLength(), granted, source);
    }

    private void releaseAfterFailure(String node, RuntimeException cause) {
        try {
            allocator.release(node);
        } catch (RuntimeException e) {
            // The store may still be down: the lease then lapses at its hold time.
            cause.addSuppressed(e);
            LOG.warn("could not release the address of the failed join of {}: {}", node, e.getMessage());
        }
    }

    private void recordMember(String node, HostCertificate cert, List<String> groups) {
        MemberRecord rec = new MemberRecord(Versioned.SCHEMA, node, cert.address().toString(), groups, Role.MEMBER, null,
                cert.fingerprint(), cert.notAfter(), clock.instant(), cert.issuer());
        // A plain member never writes this record itself (members write nothing after the join), and
        // renewals take the node's groups from it: without it the join has not happened.
        if (!Members.upsert(store, keys, rec)) {
            throw new dev.meshjoin.api.store.StoreException(store.name(), "admit " + keys.member(node),
                    "the member record kept changing; the join is not complete, ask again", true);
        }
    }
}
