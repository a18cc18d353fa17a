package dev.meshjoin;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.join.JoinCredentials;
import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.overlay.OverlayDriver;
import dev.meshjoin.api.secret.SecretValue;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.MeshNodeListener;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The one-line way to put a worker on the mesh: name, store, secret and state directory; the
 * Nebula CA and overlay, the HTTP join and the store adapters are found on the class path.
 *
 * <pre>{@code
 * MeshNode node = MeshJoin.builder()
 *         .nodeName("worker-7")
 *         .store("file:/var/lib/meshjoin/store")        // a URI, or a BootstrapStore
 *         .networkSecret(secret)                        // or .enrollmentToken(token)
 *         .stateDirectory(Path.of("/var/lib/meshjoin/worker-7"))
 *         .build();                                     // + .publicEndpoint(..).caPassphrase(..) to found or serve
 * NodeStatus status = node.join();
 * }</pre>
 *
 * <p>A store opened from a URI belongs to the node, which closes it in {@link MeshNode#close()}; a
 * {@link BootstrapStore} passed in stays the caller's. The node also holds its state directory's
 * lock while it is open, so a second process with the same state directory is refused.
 */
public final class MeshJoin {
    private MeshJoin() {
    }

    /** A builder with defaults for everything but the four settings shown above. */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects a node's settings; {@link #build()} checks them all before it opens or writes anything. */
    public static final class Builder {
        final List<MeshNodeListener> listeners = new ArrayList<>();
        final List<Consumer<MeshNode.Builder>> customizers = new ArrayList<>();
        String nodeName;
        String network = "mesh";
        URI storeUri;
        BootstrapStore store;
        SecretValue networkSecret;
        SecretValue enrollmentToken;
        java.util.List<String> caFingerprints = java.util.List.of();
        SecretValue caPassphrase;
        Path stateDirectory;
        Endpoint publicEndpoint;
        Integer signingPort;
        Ipv4Cidr cidr;
        List<String> groups;
        Path nebulaBinary;
        Duration overlayTimeout;
        Duration joinTimeout;
        Duration certificateValidity;
        OverlayDriver overlay;
        String overlayName = "nebula";
        CertificateAuthorityProvider certificates;
        JoinCredentials credentials;
        dev.meshjoin.core.NodeEvents events = dev.meshjoin.core.NodeEvents.NONE;
        java.util.function.UnaryOperator<BootstrapStore> storeDecorator = java.util.function.UnaryOperator.identity();

        private Builder() {
        }

        /** Required: this node's name, a DNS label unique in the network. */
        public Builder nodeName(String v) { nodeName = v; return this; }

        /** The network to found or join; default {@code mesh}. */
        public Builder networkName(String v) { network = Objects.requireNonNull(v); return this; }

        /**
         * Required (or {@link #store(BootstrapStore)}): the store's URI, opened by the adapter for its
         * scheme ({@code file:}, {@code etcd://}, {@code cloudflare-kv:}, ...) and closed with the node.
         */
        public Builder store(String uri) { return store(NodeWiring.storeUri(uri)); }

        /** {@link #store(String)} with a parsed URI. */
        public Builder store(URI uri) { storeUri = Objects.requireNonNull(uri); store = null; return this; }

        /** The store itself; the caller keeps it and closes it after the node. */
        public Builder store(BootstrapStore v) { store = Objects.requireNonNull(v); storeUri = null; return this; }

        /** The secret every member knows (16 characters or more); never sent, only proven. Copied. */
        public Builder networkSecret(char[] v) { networkSecret = secret(v, "the network secret"); return this; }

        /** {@link #networkSecret(char[])} as read by {@link dev.meshjoin.api.secret.SecretSource}. */
        public Builder networkSecret(SecretValue v) { networkSecret = v; return this; }

        /** A one-node credential from {@code meshctl token create}, instead of the network secret. */
        public Builder enrollmentToken(String v) { enrollmentToken = secret(v.toCharArray(), "the enrollment token"); return this; }

        /** {@link #enrollmentToken(String)} as read by {@link dev.meshjoin.api.secret.SecretSource}. */
        public Builder enrollmentToken(SecretValue v) { enrollmentToken = v; return this; }

        /**
         * The join credential itself, instead of one made from the network secret or token: a worker
         * that joins again in the same process with the same object skips the secret's key derivation.
         */
        public Builder credentials(JoinCredentials v) { credentials = v; return this; }

        /** Seals the CA key in the store; needed on nodes that may found or serve (16 characters or more). */
        public Builder caPassphrase(char[] v) { caPassphrase = secret(v, "the CA passphrase"); return this; }

        /** {@link #caPassphrase(char[])} as read by {@link dev.meshjoin.api.secret.SecretSource}. */
        public Builder caPassphrase(SecretValue v) { caPassphrase = v; return this; }

        /** Required: where the node keeps its key pair, certificate and pid files (0700). */
        public Builder stateDirectory(Path v) { stateDirectory = v; return this; }

        /** Where peers reach this node's overlay port; a node with one may found the network and serve joins. */
        public Builder publicEndpoint(Endpoint v) { publicEndpoint = v; return this; }

        /** {@link #publicEndpoint(Endpoint)} as {@code HOST:PORT}. */
        public Builder publicEndpoint(String v) { return publicEndpoint(Endpoint.parse(v)); }

        /** The signing service's port on a lighthouse; default 8444. */
        public Builder signingPort(int v) { signingPort = v; return this; }

        /** The overlay network a founder creates; default {@code 10.42.0.0/16}. */
        public Builder cidr(Ipv4Cidr v) { cidr = v; return this; }

        /** The groups this node asks for; the lighthouse grants what its credential allows. */
        public Builder groups(List<String> v) { groups = List.copyOf(v); return this; }

        /** The nebula executable; default {@code NEBULA_BIN}, then {@code PATH}. */
        public Builder nebulaBinary(Path v) { nebulaBinary = v; return this; }

        /** How long to wait for a peer to answer over the overlay; default 30 s. */
        public Builder overlayTimeout(Duration v) { overlayTimeout = v; return this; }

        /** How long {@code join()} may take in all; default 2 minutes. */
        public Builder joinTimeout(Duration v) { joinTimeout = v; return this; }

        /** The lifetime of the certificates this node issues as founder or lighthouse; default 30 days. */
        public Builder certificateValidity(Duration v) { certificateValidity = v; return this; }

        /** Told of every state change. */
        public Builder listener(MeshNodeListener v) { listeners.add(Objects.requireNonNull(v)); return this; }

        /**
         * Pins the network's CA (its fingerprint, or several during a CA rotation): the node trusts no
         * store record that CA did not sign, and a store naming another CA is refused. Default: the
         * enrollment token's pin, else the state directory's, else the CA the network secret vouches for.
         */
        public Builder caFingerprint(String... v) {
            caFingerprints = java.util.Arrays.stream(v).map(f -> dev.meshjoin.core.trust.CaFingerprint.check(f,
                    "caFingerprint")).toList();
            return this;
        }

        /** Told of renewals and of this node's join decisions as lighthouse, for monitoring (mesh-micrometer). */
        public Builder events(dev.meshjoin.core.NodeEvents v) { events = Objects.requireNonNull(v); return this; }

        /**
         * Wraps the store, opened or given, before anything uses it: every request of the node then
         * goes through the wrapper (mesh-micrometer's timed store, say). The wrapper closes the store
         * it wraps when it is closed.
         */
        public Builder storeDecorator(java.util.function.UnaryOperator<BootstrapStore> v) {
            storeDecorator = Objects.requireNonNull(v);
            return this;
        }

        /** The overlay driver itself, instead of the one found by name (tests: an in-memory one). */
        public Builder overlay(OverlayDriver v) { overlay = v; return this; }

        /** The name of the overlay found with {@link java.util.ServiceLoader}; default {@code nebula}. */
        public Builder overlay(String name) { overlayName = Objects.requireNonNull(name); overlay = null; return this; }

        /** The certificate format itself, instead of the one found with {@link java.util.ServiceLoader}. */
        public Builder certificateAuthorities(CertificateAuthorityProvider v) { certificates = v; return this; }

        /**
         * Any other setting of {@link MeshNode.Builder} (heartbeat, entry point, lighthouse duty,
         * clock, ...), applied after this builder's own.
         */
        public Builder customize(Consumer<MeshNode.Builder> v) { customizers.add(Objects.requireNonNull(v)); return this; }

        /** Takes every value {@code config} sets; values it leaves unset keep what this builder has. */
        public Builder config(MeshConfig config) {
            if (config.nodeName() != null) { nodeName = config.nodeName(); }
            if (config.store() != null) { store(config.store()); }
            if (config.network() != null) { network = config.network(); }
            if (config.stateDirectory() != null) { stateDirectory = config.stateDirectory(); }
            if (config.publicEndpoint() != null) { publicEndpoint = config.publicEndpoint(); }
            signingPort = config.signingPort();
            if (config.cidr() != null) { cidr = config.cidr(); }
            if (!config.groups().isEmpty()) { groups = config.groups(); }
            if (config.nebulaBinary() != null) { nebulaBinary = config.nebulaBinary(); }
            if (config.overlayTimeout() != null) { overlayTimeout = config.overlayTimeout(); }
            if (config.joinTimeout() != null) { joinTimeout = config.joinTimeout(); }
            if (config.certificateValidity() != null) { certificateValidity = config.certificateValidity(); }
            if (config.networkSecret() != null) { networkSecret = config.networkSecret(); }
            if (config.caPassphrase() != null) { caPassphrase = config.caPassphrase(); }
            if (config.enrollmentToken() != null) { enrollmentToken = config.enrollmentToken(); }
            if (!config.caFingerprints().isEmpty()) { caFingerprints = config.caFingerprints(); }
            return this;
        }

        /**
         * Checks every setting, then opens the store (from a URI) and takes the state directory's
         * lock; nothing is written to the store before {@code join()}.
         *
         * @throws ConfigurationException naming the first setting that is missing or wrong and what to do
         * @throws dev.meshjoin.api.MeshException when the state directory is in use by another process
         */
        public MeshNode build() {
            return NodeWiring.build(this);
        }

        private static SecretValue secret(char[] v, String origin) {
            if (v == null) {
                throw new ConfigurationException(origin + " is null");
            }
            java.nio.ByteBuffer bytes = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(v));
            byte[] out = new byte[bytes.remaining()];
            bytes.get(out);
            java.util.Arrays.fill(bytes.array(), (byte) 0);
            SecretValue value = SecretValue.of(out, origin);
            java.util.Arrays.fill(out, (byte) 0);
            return value;
        }
    }
}
