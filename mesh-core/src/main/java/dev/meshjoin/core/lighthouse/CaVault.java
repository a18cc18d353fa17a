package dev.meshjoin.core.lighthouse;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.ca.CertificateVerifier;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.secret.SecretCodecException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.core.record.StoreKeys;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The network's CA key in the store, sealed under the CA passphrase's codec: sealed once by the
 * founder, opened by a restarted or an additional lighthouse. The key never reaches a disk.
 */
public final class CaVault {
    private final BootstrapStore store;
    private final StoreKeys keys;
    private final CertificateAuthorityProvider provider;
    private final SecretCodecFactory codec;

    public CaVault(BootstrapStore store, StoreKeys keys, CertificateAuthorityProvider provider, SecretCodecFactory codec) {
        this.store = store;
        this.keys = keys;
        this.provider = provider;
        this.codec = codec;
    }

    /**
     * The store as a holder of the CA passphrase sees it: records that grant trust are checked
     * against the CA whose sealed key the passphrase opens, and signed with it once opened. A store
     * that is such a view already is returned as it is.
     */
    public static BootstrapStore trustedView(BootstrapStore store, StoreKeys keys, CertificateAuthorityProvider provider,
                                             SecretCodecFactory codec) {
        if (dev.meshjoin.core.trust.TrustedStore.trustOf(store).isPresent()) {
            return store;
        }
        dev.meshjoin.core.trust.RecordTrust trust = new dev.meshjoin.core.trust.RecordTrust(keys, provider);
        return openingView(store, keys, provider, codec, trust);
    }

    /**
     * The checked view for {@code trust} of a holder of the CA passphrase: it trusts the CA its
     * passphrase opens when nothing else names one, and opens the CA key when it first has to sign.
     */
    public static dev.meshjoin.core.trust.TrustedStore openingView(BootstrapStore raw, StoreKeys keys,
            CertificateAuthorityProvider provider, SecretCodecFactory codec, dev.meshjoin.core.trust.RecordTrust trust) {
        dev.meshjoin.core.trust.TrustedStore view = dev.meshjoin.core.trust.TrustedStore.wrap(raw, trust);
        trust.anchorResolver(new CaVault(raw, keys, provider, codec).resolver());
        trust.signerSource(() -> raw.get(keys.network()).ifPresent(e -> new CaVault(view, keys, provider, codec)
                .open(NetworkView.read(trust.openNetwork(keys.network(), e.value()), keys.network()))));
        return view;
    }

    /**
     * Names the CA to trust for a network record that nothing else anchors: the one whose sealed key
     * this node's CA passphrase opens (only a holder of the passphrase could have sealed it).
     */
    public dev.meshjoin.core.trust.RecordTrust.AnchorResolver resolver() {
        return rec -> {
            try {
                open(NetworkView.of(rec, keys.network()), rec.caFingerprint());
                return Optional.of(rec.caFingerprint());
            } catch (ConfigurationException e) {
                throw new ConfigurationException(e.getMessage() + " (or the network record, naming CA "
                        + rec.caFingerprint() + ", was replaced by someone without it: the store may have been"
                        + " tampered with)", e);
            } catch (MeshException e) {
                return Optional.empty();
            }
        };
    }

    /** The store key of a CA's sealed private key. */
    public String keyOf(CertificateAuthority ca) {
        return keys.caKey(ca.caCertificate().fingerprint());
    }

    /** Seals a new CA's private key with put-if-absent; empty when the key was there already. */
    public Optional<Entry> seal(CertificateAuthority ca, byte[] salt) {
        String key = keyOf(ca);
        byte[] raw = ca.exportPrivateKey();
        try {
            return store.putIfAbsent(key, codec.forNetwork(salt).seal(raw, key.getBytes(StandardCharsets.UTF_8)));
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /**
     * Removes a sealed key this node wrote for a network it did not found after all. An eventual
     * store may not show even its writer a fresh write, so a delete that found nothing is tried
     * once more after the propagation bound (the key names this node's own CA: nobody else writes it).
     */
    public void discard(String key, Entry written) {
        if (store.delete(key, written.version()) || store.consistency().isLinearizable()) {
            return;
        }
        try {
            Thread.sleep(store.consistency().propagationBound().plusMillis(500).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        store.delete(key, written.version());
    }

    /** Removes a sealed key, whatever its version; best effort after a failed founding. */
    public void discard(String key) {
        store.get(key).ifPresent(e -> store.delete(key, e.version()));
    }

    /**
     * Opens the network's sealed CA key with this node's CA passphrase and loads the CA.
     *
     * @throws ConfigurationException when this node's passphrase is not the network's
     */
    public CertificateAuthority open(NetworkView network) {
        CertificateAuthority ca = open(network, network.caFingerprint());
        dev.meshjoin.core.trust.TrustedStore.trustOf(store).ifPresent(trust -> {
            trust.signWith(ca);
            // During a CA rotation records are signed by every CA of the bundle whose key is still
            // sealed here, so a node that trusts only the older CA keeps reading them.
            for (HostCertificate other : provider.verifier(network.caBundle()).trusted()) {
                if (!other.fingerprint().equals(network.caFingerprint()) && store.get(keys.caKey(other.fingerprint())).isPresent()) {
                    try {
                        trust.signWith(open(network, other.fingerprint()));
                    } catch (MeshException e) {
                        // not ours to sign with: the record keeps the signing CA's signature
                    }
                }
            }
        });
        return ca;
    }

    private CertificateAuthority open(NetworkView network, String fingerprint) {
        String key = keys.caKey(fingerprint);
        Entry sealed = store.get(key).orElseThrow(() -> new MeshException("the sealed CA key " + key
                + " is missing from " + store.name() + "; restore it from a backup, or found a new network"));
        byte[] caKey;
        try {
            caKey = codec.forNetwork(network.salt()).open(sealed.value(), key.getBytes(StandardCharsets.UTF_8));
        } catch (SecretCodecException e) {
            throw new ConfigurationException("cannot open the sealed CA key " + key + ": this node's CA passphrase"
                    + " is not the network's. Give it the passphrase the founder was given", e);
        }
        CertificateVerifier trusted = provider.verifier(network.caBundle());
        HostCertificate caCert = trusted.trusted().stream().filter(c -> c.fingerprint().equals(fingerprint))
                .findFirst().orElseThrow(() -> new MeshException("the network record's CA bundle lacks CA "
                        + fingerprint + ", whose sealed key " + key + " was asked for; the record is damaged"));
        try {
            return provider.load(caCert.pem(), caKey);
        } finally {
            Arrays.fill(caKey, (byte) 0);
        }
    }
}
