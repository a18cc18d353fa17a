package dev.meshjoin.core.lighthouse;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.MemberRecord;
import dev.meshjoin.core.record.NetworkRecord;
import dev.meshjoin.core.record.NetworkRecords;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.core.record.StoreKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Rotates a network's CA without a flag day. {@link #rotate} creates a new CA, seals its key next
 * to the old one and makes it the signing CA, with both in the trusted bundle; lighthouses then
 * sign with it (they follow the record) and renewals move members to it. {@link #retire} removes
 * an old CA from the bundle once no live certificate was signed by it, and refuses, with the count
 * and the nodes, before that. Both need the CA passphrase: they open the current CA first.
 *
 * <pre>{@code
 * CaRotation rotation = new CaRotation(store, keys, provider, SecretCodecs.passphrase(pass), clock);
 * CaRotation.Rotated r = rotation.rotate(Duration.ofDays(365));
 * // ... once members renewed:
 * rotation.retire(r.previous());
 * }</pre>
 */
public final class CaRotation {
    private final BootstrapStore store;
    private final StoreKeys keys;
    private final CertificateAuthorityProvider provider;
    private final CaVault vault;
    private final Clock clock;

    /**
     * The outcome of a rotation.
     *
     * @param previous the fingerprint of the CA that signed until now (still trusted)
     * @param current the fingerprint of the new signing CA
     * @param notAfter when the new CA expires
     */
    public record Rotated(String previous, String current, Instant notAfter) {
    }

    /** A retirement refused because live certificates still need the CA. */
    public static final class CaStillInUseException extends MeshException {
        private static final long serialVersionUID = 1L;
        private final int count;

        CaStillInUseException(String fingerprint, List<MemberRecord> needing) {
            super(needing.size() + " live certificate" + (needing.size() == 1 ? " still needs" : "s still need") + " CA "
                    + fingerprint + " (" + needing.stream().map(m -> m.node() + " until " + m.certificateNotAfter())
                    .collect(Collectors.joining(", ")) + "); retire it once they have renewed under the new CA"
                    + " or expired");
            this.count = needing.size();
        }

        /** How many live certificates need the CA. */
        public int count() {
            return count;
        }
    }

    public CaRotation(BootstrapStore store, StoreKeys keys, CertificateAuthorityProvider provider,
                      SecretCodecFactory codec, Clock clock) {
        this.store = CaVault.trustedView(store, keys, provider, codec);
        this.keys = keys;
        this.provider = provider;
        this.vault = new CaVault(this.store, keys, provider, codec);
        this.clock = clock;
    }

    private NetworkView network() {
        return NetworkRecords.read(store, keys).orElseThrow(() -> new ConfigurationException("there is no network "
                + keys.networkName() + " in " + store.name() + "; check --store and --network"));
    }

    /**
     * Adds a new CA, with the old one's constraints, and makes it the signing CA.
     *
     * @param validity how long the new CA lasts
     * @throws ConfigurationException when the CA passphrase is not the network's
     */
    public Rotated rotate(Duration validity) {
        NetworkView before = network();
        CertificateAuthority current = vault.open(before);
        CertificateAuthority next = provider.create(CaSpec.forNetwork(keys.networkName() + " mesh CA "
                + clock.instant().getEpochSecond(), before.cidr(), validity));
        String nextFp = next.caCertificate().fingerprint();
        vault.seal(next, before.salt());
        // The record naming both CAs is signed by both: nodes that trust only the current one accept it.
        dev.meshjoin.core.trust.TrustedStore.trustOf(store).ifPresent(t -> t.signWith(next));
        try {
            NetworkRecords.update(store, keys, "rotate the CA", cur -> {
                if (!cur.caFingerprint().equals(before.caFingerprint())) {
                    throw new MeshException("the network's CA changed during this rotation (now " + cur.caFingerprint()
                            + "); inspect it and run the rotation again if still needed");
                }
                String bundle = cur.caBundle().endsWith("\n") ? cur.caBundle() : cur.caBundle() + "\n";
                return withCa(cur, bundle + next.caCertificate().pemText(), nextFp);
            });
        } catch (RuntimeException e) {
            vault.discard(keys.caKey(nextFp));
            throw e;
        }
        return new Rotated(current.caCertificate().fingerprint(), nextFp, next.caCertificate().notAfter());
    }

    /** The live member records (certificate not expired) whose certificate may have been signed by {@code fingerprint}. */
    public List<MemberRecord> needing(String fingerprint) {
        Instant now = clock.instant();
        List<MemberRecord> out = new ArrayList<>();
        for (KeyVersion kv : store.list(keys.members())) {
            store.get(kv.key()).map(e -> Json.read(e.value(), MemberRecord.class, e.key()))
                    .filter(m -> m.certificateNotAfter().isAfter(now))
                    // A record without its issuer predates rotation: it may need any CA.
                    .filter(m -> m.issuer() == null || m.issuer().equals(fingerprint))
                    .ifPresent(out::add);
        }
        return out;
    }

    /**
     * Removes a CA from the trusted bundle and deletes its sealed key.
     *
     * @throws CaStillInUseException with the count while live certificates need it
     * @throws ConfigurationException when it is the signing CA or not in the bundle
     */
    public void retire(String fingerprint) {
        NetworkView before = network();
        vault.open(before);
        if (before.caFingerprint().equals(fingerprint)) {
            throw new ConfigurationException("CA " + fingerprint + " is the network's signing CA; rotate first"
                    + " (meshctl ca rotate), then retire the old one");
        }
        List<HostCertificate> trusted = provider.verifier(before.caBundle()).trusted();
        if (trusted.stream().noneMatch(c -> c.fingerprint().equals(fingerprint))) {
            throw new ConfigurationException("CA " + fingerprint + " is not in the bundle of " + keys.networkName()
                    + "; trusted are " + trusted.stream().map(HostCertificate::fingerprint).toList());
        }
        List<MemberRecord> needing = needing(fingerprint);
        if (!needing.isEmpty()) {
            throw new CaStillInUseException(fingerprint, needing);
        }
        NetworkRecords.update(store, keys, "retire CA " + fingerprint, cur -> {
            List<HostCertificate> now = provider.verifier(cur.caBundle().getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                    .trusted();
            if (now.stream().noneMatch(c -> c.fingerprint().equals(fingerprint))) {
                return cur;
            }
            if (cur.caFingerprint().equals(fingerprint)) {
                throw new MeshException("CA " + fingerprint + " became the signing CA during the retirement; nothing changed");
            }
            String bundle = now.stream().filter(c -> !c.fingerprint().equals(fingerprint)).map(HostCertificate::pemText)
                    .map(p -> p.endsWith("\n") ? p : p + "\n").collect(Collectors.joining());
            return withCa(cur, bundle, cur.caFingerprint());
        });
        vault.discard(keys.caKey(fingerprint));
    }

    private static NetworkRecord withCa(NetworkRecord cur, String bundle, String signing) {
        return new NetworkRecord(cur.schema(), cur.network(), cur.cidr(), cur.caType(), bundle, signing,
                cur.lighthouses(), cur.founder(), cur.foundedAt(), cur.secretSalt());
    }
}
