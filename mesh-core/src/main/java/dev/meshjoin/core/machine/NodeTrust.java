package dev.meshjoin.core.machine;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.join.JoinCredentials;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.lighthouse.CaVault;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.signing.EnrollmentTokenCredentials;
import dev.meshjoin.core.state.LocalState;
import dev.meshjoin.core.trust.MacKeySource;
import dev.meshjoin.core.trust.RecordTrust;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Builds a node's {@link RecordTrust} from its configuration: the pins it was given, its secret, its CA passphrase. */
final class NodeTrust {
    private NodeTrust() {
    }

    static RecordTrust of(NodeConfig.Draft d, StoreKeys keys, CertificateAuthorityProvider provider, BootstrapStore raw,
                          JoinCredentials credentials, SecretCodecFactory caKeyCodec) {
        RecordTrust trust = d.trust != null ? d.trust : new RecordTrust(keys, provider);
        List<String> pins = new ArrayList<>(d.caFingerprints);
        if (credentials instanceof EnrollmentTokenCredentials t && t.caFingerprint().isPresent()) {
            String fromToken = t.caFingerprint().get();
            if (!pins.isEmpty() && !pins.contains(fromToken)) {
                throw new ConfigurationException("the enrollment token names CA " + fromToken + " but the CA fingerprint"
                        + " given (MESH_CA_FINGERPRINT or --ca-fingerprint) is " + String.join(",", pins)
                        + "; one of them is for another network. Give the token of this network, or drop the pin");
            }
            pins.add(fromToken);
        }
        trust.pin(pins);
        // A node with state trusts the CAs it was admitted under and last verified, whatever the store says.
        LocalState local = new LocalState(d.stateDirectory);
        Optional<LocalState.Identity> me;
        try {
            me = local.identity().filter(id -> id.network().equals(keys.networkName()));
        } catch (MeshException e) {
            me = Optional.empty(); // a damaged state file is reported by the join, with what to do
        }
        me.ifPresent(id -> trust.pin(id.trusted()));
        trust.onVerified(n -> local.identity().filter(id -> id.network().equals(keys.networkName()))
                .filter(id -> !new java.util.TreeSet<>(id.trusted()).equals(new java.util.TreeSet<>(
                        id.trusting(n.cas().keySet()).trusted())))
                .ifPresent(id -> local.saveIdentity(id.trusting(n.cas().keySet()))));
        MacKeySource mac = d.recordMacKeys != null ? d.recordMacKeys
                : credentials instanceof MacKeySource m ? m : null;
        if (mac != null) {
            trust.macKeys(mac);
        }
        if (caKeyCodec != null && d.publicEndpoint != null) {
            // A holder of the CA passphrase trusts the CA whose sealed key it opens, and a node that may
            // serve but has not opened the CA yet (it marks a lighthouse down) opens it to sign.
            CaVault.openingView(raw, keys, provider, caKeyCodec, trust);
        }
        return trust;
    }
}
