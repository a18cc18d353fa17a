package dev.meshjoin;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.join.JoinCredentials;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.api.overlay.OverlayDriver;
import dev.meshjoin.api.overlay.OverlayDriverProvider;
import dev.meshjoin.api.secret.SecretValue;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.secret.SecretCodecs;
import dev.meshjoin.core.signing.CredentialAdmission;
import dev.meshjoin.core.signing.EnrollmentToken;
import dev.meshjoin.core.signing.EnrollmentTokenCredentials;
import dev.meshjoin.core.signing.HttpJoinTransport;
import dev.meshjoin.core.signing.HttpSigningServerFactory;
import dev.meshjoin.core.signing.NetworkSecretCredentials;
import dev.meshjoin.core.state.StateLock;
import dev.meshjoin.core.store.BootstrapStores;
import dev.meshjoin.core.trust.RecordTrust;
import dev.meshjoin.core.trust.TrustedStore;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Turns a {@link MeshJoin.Builder} into a {@link MeshNode}: checks, then the parts found with
 * {@link ServiceLoader}, then the store, then the production wiring (HTTP join, admission by the
 * network secret and enrollment tokens, the CA key sealed under the CA passphrase).
 */
final class NodeWiring {
    /** The groups a holder of the network secret may be granted. */
    static final List<String> SECRET_GROUPS = List.of("workers");

    private NodeWiring() {
    }

    static URI storeUri(String uri) {
        return BootstrapStores.uri(uri);
    }

    static MeshNode build(MeshJoin.Builder b) {
        require(b.nodeName, "the node's name: .nodeName(..), MESH_NAME or meshctl up --name");
        require(b.stateDirectory, "the state directory: .stateDirectory(..), MESH_STATE_DIR or meshctl up --state-dir");
        if (b.store == null && b.storeUri == null) {
            throw new ConfigurationException("set the bootstrap store: .store(\"file:/var/lib/meshjoin/store\"),"
                    + " MESH_STORE or meshctl up --store");
        }
        JoinCredentials credentials = credentials(b);
        SecretCodecFactory caCodec = caCodec(b);
        CertificateAuthorityProvider certificates = b.certificates != null ? b.certificates
                : one(CertificateAuthorityProvider.class, CertificateAuthorityProvider::type, "nebula-v1",
                        "a certificate format (add mesh-nebula, or depend on dev.meshjoin:meshjoin)");
        OverlayDriver overlay = b.overlay != null ? b.overlay : overlay(b);

        List<AutoCloseable> opened = new ArrayList<>();
        // Closed last first: the store, then the lock, so no other process takes the directory early.
        opened.add(StateLock.acquire(b.stateDirectory));
        try {
            BootstrapStore store = b.store;
            if (store == null) {
                store = b.storeDecorator.apply(BootstrapStores.open(b.storeUri));
                opened.add(store);
            } else {
                store = b.storeDecorator.apply(store);
            }
            // Admission and the signing service read tokens and revocations: through the checked view.
            RecordTrust trust = new RecordTrust(b.network, certificates);
            BootstrapStore checked = TrustedStore.wrap(store, trust);
            CredentialAdmission.Builder admission = CredentialAdmission.builder(checked, b.network).verifierCodec(caCodec);
            if (b.networkSecret != null) {
                admission.networkSecret(chars(b.networkSecret), SECRET_GROUPS);
            }
            MeshNode.Builder node = MeshNode.builder()
                    .nodeName(b.nodeName)
                    .networkName(b.network)
                    .store(store)
                    .stateDirectory(b.stateDirectory)
                    .certificateAuthorities(certificates)
                    .overlay(overlay)
                    .caKeyCodec(caCodec)
                    .transport(new HttpJoinTransport(certificates))
                    .signingServers(HttpSigningServerFactory.builder(checked, b.network).events(b.events).build())
                    .events(b.events)
                    .trust(trust)
                    .caFingerprint(b.caFingerprints)
                    .admission(admission.build())
                    .credentials(credentials)
                    .publicEndpoint(b.publicEndpoint);
            if (b.networkSecret != null) {
                // Records carry a MAC under the secret's key, also on a lighthouse that joins with a token.
                node.recordMacKeys(credentials instanceof NetworkSecretCredentials n ? n
                        : new NetworkSecretCredentials(chars(b.networkSecret), b.stateDirectory));
            }
            if (b.signingPort != null) {
                node.signingPort(b.signingPort);
            }
            if (b.cidr != null) {
                node.cidr(b.cidr);
            }
            if (b.groups != null) {
                node.groups(b.groups);
            }
            if (b.overlayTimeout != null) {
                node.overlayTimeout(b.overlayTimeout);
            }
            if (b.joinTimeout != null) {
                node.joinTimeout(b.joinTimeout);
            }
            if (b.certificateValidity != null) {
                node.certificateValidity(b.certificateValidity);
            }
            b.listeners.forEach(node::listener);
            b.customizers.forEach(c -> c.accept(node));
            opened.forEach(node::closing);
            return node.build();
        } catch (RuntimeException e) {
            for (AutoCloseable c : opened) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static void require(Object value, String what) {
        if (value == null) {
            throw new ConfigurationException("set " + what);
        }
    }

    private static JoinCredentials credentials(MeshJoin.Builder b) {
        // The secret's strength is checked even beside a token: it also admits joiners on a lighthouse.
        JoinCredentials bySecret = b.networkSecret == null ? null
                : new NetworkSecretCredentials(chars(b.networkSecret), b.stateDirectory);
        if (b.credentials != null) {
            return b.credentials;
        }
        if (b.enrollmentToken != null) {
            try {
                return new EnrollmentTokenCredentials(EnrollmentToken.of(b.enrollmentToken.string()));
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(b.enrollmentToken.origin() + " is " + e.getMessage(), e);
            }
        }
        if (bySecret == null) {
            throw new ConfigurationException("set the network secret in the environment variable MESH_SECRET (or a"
                    + " file named by MESH_SECRET_FILE), or an enrollment token in MESH_TOKEN (meshctl token create)");
        }
        return bySecret;
    }

    /** The codec sealing the CA key; one that refuses with the reason on nodes without a CA passphrase. */
    private static SecretCodecFactory caCodec(MeshJoin.Builder b) {
        SecretValue passphrase = b.caPassphrase;
        if (passphrase == null || passphrase.isEmpty()) {
            if (b.publicEndpoint != null) {
                throw new ConfigurationException("a node with a public endpoint may found the network and hold its"
                        + " CA; set the CA passphrase in MESH_CA_PASSPHRASE or MESH_CA_PASSPHRASE_FILE (distinct from"
                        + " MESH_SECRET)");
            }
            return salt -> {
                throw new ConfigurationException("this node has no CA passphrase (MESH_CA_PASSPHRASE), so it"
                        + " cannot found the network or serve as lighthouse");
            };
        }
        if (b.networkSecret != null && passphrase.sameAs(b.networkSecret)) {
            throw new ConfigurationException("MESH_CA_PASSPHRASE must differ from MESH_SECRET: every member knows the"
                    + " network secret, only lighthouses may know the CA passphrase");
        }
        if (passphrase.length() < SecretCodecs.MIN_PASSPHRASE_LENGTH) {
            throw new ConfigurationException(passphrase.origin() + " is " + passphrase.length() + " characters; the"
                    + " CA passphrase must be at least " + SecretCodecs.MIN_PASSPHRASE_LENGTH + " (a random one:"
                    + " openssl rand -base64 32 > ca-passphrase; chmod 600 ca-passphrase;"
                    + " MESH_CA_PASSPHRASE_FILE=ca-passphrase)");
        }
        return SecretCodecs.passphrase(chars(passphrase));
    }

    private static char[] chars(SecretValue v) {
        return v.chars();
    }

    private static OverlayDriver overlay(MeshJoin.Builder b) {
        OverlayDriverProvider provider = one(OverlayDriverProvider.class, OverlayDriverProvider::name, b.overlayName,
                "an overlay driver named '" + b.overlayName + "' (add mesh-nebula, or depend on dev.meshjoin:meshjoin)");
        return provider.create(new OverlayDriverProvider.Options(b.nebulaBinary, null));
    }

    /** The provider named {@code preferred}, else the only one found; refuses naming what was found. */
    private static <T> T one(Class<T> type, java.util.function.Function<T, String> name, String preferred, String what) {
        List<T> found = new ArrayList<>();
        ServiceLoader.load(type, NodeWiring.class.getClassLoader()).forEach(found::add);
        for (T p : found) {
            if (name.apply(p).equals(preferred)) {
                return p;
            }
        }
        if (found.size() == 1 && !type.equals(OverlayDriverProvider.class)) {
            return found.get(0);
        }
        TreeSet<String> names = new TreeSet<>();
        found.forEach(p -> names.add(name.apply(p)));
        Supplier<String> known = () -> names.isEmpty() ? "none is on the class path" : "found " + names;
        throw new ConfigurationException("meshjoin needs " + what + "; " + known.get());
    }
}
