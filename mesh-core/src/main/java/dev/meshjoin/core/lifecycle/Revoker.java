package dev.meshjoin.core.lifecycle;

import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.core.lighthouse.CaVault;
import dev.meshjoin.core.record.IssuedCertificates;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.LeaseRecord;
import dev.meshjoin.core.record.MemberRecord;
import dev.meshjoin.core.record.NetworkRecords;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.core.record.NodeLeaseIndex;
import dev.meshjoin.core.record.RevocationList;
import dev.meshjoin.core.record.StoreKeys;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Revokes a node: records its unexpired certificates and its key in {@code mesh/<network>/revocations}.
 * Every lighthouse then refuses its renewal and re-join, and every node blocks its certificates
 * within one poll, which drops its tunnels. Its address stays held until its last certificate
 * expires. Only a holder of the CA passphrase may revoke: the CA key must open.
 *
 * <pre>{@code
 * RevocationList.Revoked r = Revoker.builder(store, "prod").certificateAuthorities(ca)
 *         .caKeyCodec(SecretCodecs.passphrase(passphrase)).build().revoke("worker-7");
 * }</pre>
 */
public final class Revoker {
    private final BootstrapStore store;
    private final StoreKeys keys;
    private final CertificateAuthorityProvider caProvider;
    private final SecretCodecFactory caKeyCodec;
    private final Clock clock;

    private Revoker(Builder b) {
        this.keys = b.keys;
        this.caProvider = Objects.requireNonNull(b.caProvider, "certificateAuthorities");
        this.caKeyCodec = Objects.requireNonNull(b.caKeyCodec, "caKeyCodec");
        this.store = CaVault.trustedView(b.store, keys, caProvider, caKeyCodec);
        this.clock = b.clock;
    }

    public static Builder builder(BootstrapStore store, String network) {
        return new Builder(store, StoreKeys.of(network));
    }

    /**
     * Revokes {@code node}.
     *
     * @return what was recorded
     * @throws MeshException when the network or the node is unknown, or the CA passphrase is wrong
     */
    public RevocationList.Revoked revoke(String node) {
        StoreKeys.checkName("node name", node);
        NetworkView network = NetworkRecords.read(store, keys).orElseThrow(() -> new MeshException("network "
                + keys.networkName() + " does not exist in " + store.name() + "; check --store and --network"));
        new CaVault(store, keys, caProvider, caKeyCodec).open(network);
        if (network.isLighthouse(node)) {
            // A lighthouse opens the sealed CA key with the CA passphrase: it could sign itself a new
            // certificate under another name, so blocking its certificates would promise what it cannot keep.
            throw new MeshException(node + " is a lighthouse of " + network.name() + " and was not revoked: a lighthouse"
                    + " knows the CA passphrase and can open the CA key, so a revocation would not shut it out. Stop it"
                    + " for good (the other lighthouses mark it down after the lighthouse grace time, and a node that"
                    + " may serve promotes itself); if its host may be compromised, so is the CA passphrase: found a new"
                    + " network under a new one");
        }
        Instant now = clock.instant();
        TreeSet<String> keyIds = new TreeSet<>();
        TreeSet<String> fingerprints = new TreeSet<>();
        Instant holdUntil = now;
        for (IssuedCertificates.Issued c : CertificateLedger.of(store, keys, node, now)) {
            fingerprints.add(c.fingerprint());
            keyIds.add(c.keyId());
            holdUntil = later(holdUntil, c.notAfter());
        }
        var member = store.get(keys.member(node)).map(e -> Json.read(e.value(), MemberRecord.class, e.key()));
        if (member.isPresent()) {
            fingerprints.add(member.get().certificateFingerprint());
            holdUntil = later(holdUntil, member.get().certificateNotAfter());
        }
        var index = store.get(keys.leaseOfNode(node)).map(e -> Json.read(e.value(), NodeLeaseIndex.class, e.key()));
        if (index.isPresent()) {
            keyIds.add(index.get().keyId());
            var lease = store.get(keys.lease(dev.meshjoin.api.net.Ipv4Address.parse(index.get().address())))
                    .map(e -> Json.read(e.value(), LeaseRecord.class, e.key()));
            if (lease.isPresent()) {
                holdUntil = later(holdUntil, lease.get().holdUntil());
            }
        }
        if (fingerprints.isEmpty() && keyIds.isEmpty()) {
            throw new MeshException("node " + node + " is not a member of " + network.name() + " (no member record,"
                    + " certificate or address); check the name with meshctl members");
        }
        RevocationList.Revoked entry = new RevocationList.Revoked(node, new ArrayList<>(keyIds),
                new ArrayList<>(fingerprints), now, holdUntil);
        return Revocations.revoke(store, keys, entry, now).of(node).orElse(entry);
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** Configures a {@link Revoker}. */
    public static final class Builder {
        private final BootstrapStore store;
        private final StoreKeys keys;
        private CertificateAuthorityProvider caProvider;
        private SecretCodecFactory caKeyCodec;
        private Clock clock = Clock.systemUTC();

        private Builder(BootstrapStore store, StoreKeys keys) {
            this.store = Objects.requireNonNull(store, "store");
            this.keys = keys;
        }

        /** Required: the network's certificate format. */
        public Builder certificateAuthorities(CertificateAuthorityProvider v) { caProvider = v; return this; }
        /** Required: opens the sealed CA key (the CA passphrase); proves the right to revoke. */
        public Builder caKeyCodec(SecretCodecFactory v) { caKeyCodec = v; return this; }
        public Builder clock(Clock v) { clock = v; return this; }

        public Revoker build() {
            return new Revoker(this);
        }
    }

    /** Lists every revocation of a network. */
    public static List<RevocationList.Revoked> list(BootstrapStore store, String network) {
        return Revocations.read(store, StoreKeys.of(network)).all();
    }
}
