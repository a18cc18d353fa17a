package dev.meshjoin;

import dev.meshjoin.core.secret.SecretCodecs;
import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.api.join.JoinCredentials;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.core.signing.CredentialAdmission;
import dev.meshjoin.core.signing.HttpJoinTransport;
import dev.meshjoin.core.signing.HttpSigningServerFactory;
import dev.meshjoin.core.signing.NetworkSecretCredentials;
import dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider;
import dev.meshjoin.nebula.overlay.NebulaOverlayDriver;
import java.util.List;

/**
 * The production wiring of a {@link MeshNode}: the pure-Java Nebula CA, the Nebula overlay driver,
 * the HTTP signing service and join transport, and admission by the network secret. The returned
 * builder still needs the node's name, state directory and (to found or serve) public endpoint.
 *
 * <pre>{@code
 * MeshNode node = NebulaMesh.builder(store, "prod", secret, caPassphrase, NebulaOverlayDriver.builder())
 *         .nodeName("worker-7").stateDirectory(Path.of("/var/lib/meshjoin"))
 *         .publicEndpoint(Endpoint.parse("203.0.113.7:4242"))
 *         .build();
 * }</pre>
 */
public final class NebulaMesh {
    /** The groups a holder of the network secret may be granted. */
    public static final List<String> SECRET_GROUPS = List.of("workers");

    private NebulaMesh() {
    }

    /**
     * @param networkSecret the secret every member knows; never sent, only proven
     * @param caPassphrase seals the CA key in the store; null on nodes that never found or serve as
     *     lighthouse (they then cannot hold the CA)
     */
    public static MeshNode.Builder builder(BootstrapStore store, String network, char[] networkSecret,
                                           char[] caPassphrase, NebulaOverlayDriver.Builder overlay) {
        if (networkSecret == null || networkSecret.length == 0) {
            throw new ConfigurationException("the network secret is empty; set a strong one (MESH_SECRET)");
        }
        return builder(store, network, new NetworkSecretCredentials(networkSecret.clone()), networkSecret,
                caPassphrase, overlay);
    }

    /**
     * The same wiring with the node's own credentials, such as an enrollment token
     * ({@link dev.meshjoin.core.signing.EnrollmentTokenCredentials}): a node that joins with a
     * token needs no network secret. As a lighthouse it admits enrollment tokens, and network-secret
     * proofs when it has the secret or opens the sealed verifier with its CA passphrase.
     *
     * @param networkSecret the network secret, or null when this node was not given it
     */
    public static MeshNode.Builder builder(BootstrapStore store, String network, JoinCredentials credentials,
                                           char[] networkSecret, char[] caPassphrase,
                                           NebulaOverlayDriver.Builder overlay) {
        SecretCodecFactory caCodec = caPassphrase == null || caPassphrase.length == 0
                ? salt -> {
                    throw new ConfigurationException("this node has no CA passphrase (MESH_CA_PASSPHRASE), so it"
                            + " cannot found the network or serve as lighthouse");
                }
                : SecretCodecs.passphrase(caPassphrase);
        NebulaCertificateAuthorityProvider certificates = new NebulaCertificateAuthorityProvider();
        return MeshNode.builder()
                .networkName(network)
                .store(store)
                .certificateAuthorities(certificates)
                .overlay(overlay.build())
                .caKeyCodec(caCodec)
                .transport(new HttpJoinTransport(certificates))
                .signingServers(HttpSigningServerFactory.builder(store, network).build())
                .admission(admission(store, network, networkSecret, caCodec))
                .credentials(credentials);
    }

    private static CredentialAdmission admission(BootstrapStore store, String network, char[] networkSecret,
                                                 SecretCodecFactory caCodec) {
        CredentialAdmission.Builder b = CredentialAdmission.builder(store, network).verifierCodec(caCodec);
        if (networkSecret != null && networkSecret.length > 0) {
            b.networkSecret(networkSecret.clone(), SECRET_GROUPS);
        } else {
            b.secretGroups(SECRET_GROUPS);
        }
        return b.build();
    }
}
