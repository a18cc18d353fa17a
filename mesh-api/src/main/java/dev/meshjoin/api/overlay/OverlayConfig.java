package dev.meshjoin.api.overlay;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.net.Ipv4Interface;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Everything an overlay driver needs to bring one node onto the mesh. Made with {@link #builder()}.
 *
 * <pre>{@code
 * OverlayConfig config = OverlayConfig.builder()
 *         .nodeName("worker-7")
 *         .address(Ipv4Interface.parse("10.42.0.7/16"))
 *         .certificatePem(cert.pem())
 *         .privateKey(keys.privateKey())
 *         .caBundlePem(verifier.bundlePem())
 *         .lighthouses(record.lighthouses())
 *         .stateDirectory(Path.of("/var/lib/mesh/worker-7"))
 *         .build();
 * }</pre>
 */
public final class OverlayConfig {
    private final String nodeName;
    private final Ipv4Interface address;
    private final byte[] certificatePem;
    private final byte[] privateKey;
    private final byte[] caBundlePem;
    private final List<Lighthouse> lighthouses;
    private final boolean lighthouse;
    private final int listenPort;
    private final List<FirewallRule> firewall;
    private final Path stateDirectory;
    private final List<String> blocklist;

    private OverlayConfig(Builder b) {
        this.nodeName = require(b.nodeName, "nodeName");
        this.address = require(b.address, "address");
        this.certificatePem = require(b.certificatePem, "certificatePem").clone();
        this.privateKey = require(b.privateKey, "privateKey").clone();
        this.caBundlePem = require(b.caBundlePem, "caBundlePem").clone();
        this.lighthouses = List.copyOf(b.lighthouses);
        this.lighthouse = b.lighthouse;
        this.listenPort = b.listenPort;
        this.firewall = List.copyOf(b.firewall);
        this.stateDirectory = require(b.stateDirectory, "stateDirectory");
        this.blocklist = List.copyOf(b.blocklist);
        if (listenPort < 0 || listenPort > 65535) {
            throw new ConfigurationException("listen port " + listenPort + " is outside 0..65535 (0 picks a free one)");
        }
        if (!lighthouse && lighthouses.isEmpty()) {
            throw new ConfigurationException("a node that is not a lighthouse needs at least one lighthouse");
        }
    }

    private static <T> T require(T value, String what) {
        if (value == null) {
            throw new ConfigurationException("overlay config: " + what + " is required");
        }
        return value;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder prefilled with this config, to change a few fields (a renewed certificate). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.nodeName = nodeName;
        b.address = address;
        b.certificatePem = certificatePem;
        b.privateKey = privateKey;
        b.caBundlePem = caBundlePem;
        b.lighthouses = new ArrayList<>(lighthouses);
        b.lighthouse = lighthouse;
        b.listenPort = listenPort;
        b.firewall = new ArrayList<>(firewall);
        b.stateDirectory = stateDirectory;
        b.blocklist = new ArrayList<>(blocklist);
        return b;
    }

    public String nodeName() { return nodeName; }
    /** This node's overlay address with the overlay network's prefix length. */
    public Ipv4Interface address() { return address; }
    public byte[] certificatePem() { return certificatePem.clone(); }
    /** The node's raw private key; a driver writes it only to a file readable by its owner. */
    public byte[] privateKey() { return privateKey.clone(); }
    public byte[] caBundlePem() { return caBundlePem.clone(); }
    /** Every lighthouse of the network, this node included when it is one. */
    public List<Lighthouse> lighthouses() { return lighthouses; }
    /** Whether this node serves as a lighthouse. */
    public boolean lighthouse() { return lighthouse; }
    /** UDP port of the overlay daemon; 0 lets the daemon choose (not for lighthouses). */
    public int listenPort() { return listenPort; }
    /** Firewall rules; empty means the driver's documented default. */
    public List<FirewallRule> firewall() { return firewall; }
    /** Where the driver keeps its config, keys and logs for this node. */
    public Path stateDirectory() { return stateDirectory; }
    /** Certificate fingerprints the overlay must refuse (revoked members). */
    public List<String> blocklist() { return blocklist; }

    @Override
    public boolean equals(Object o) {
        return o instanceof OverlayConfig c && nodeName.equals(c.nodeName) && address.equals(c.address)
                && Arrays.equals(certificatePem, c.certificatePem) && Arrays.equals(privateKey, c.privateKey)
                && Arrays.equals(caBundlePem, c.caBundlePem) && lighthouses.equals(c.lighthouses)
                && lighthouse == c.lighthouse && listenPort == c.listenPort && firewall.equals(c.firewall)
                && stateDirectory.equals(c.stateDirectory) && blocklist.equals(c.blocklist);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodeName, address, lighthouses, lighthouse, listenPort);
    }

    @Override
    public String toString() {
        return "OverlayConfig[" + nodeName + " " + address + (lighthouse ? " lighthouse" : "")
                + " port " + listenPort + ", " + lighthouses.size() + " lighthouses, private key redacted]";
    }

    /** Builds an {@link OverlayConfig}; every field without a default is required. */
    public static final class Builder {
        private String nodeName;
        private Ipv4Interface address;
        private byte[] certificatePem;
        private byte[] privateKey;
        private byte[] caBundlePem;
        private List<Lighthouse> lighthouses = new ArrayList<>();
        private boolean lighthouse;
        private int listenPort;
        private List<FirewallRule> firewall = new ArrayList<>();
        private Path stateDirectory;
        private List<String> blocklist = new ArrayList<>();

        private Builder() {
        }

        public Builder nodeName(String v) { this.nodeName = v; return this; }
        public Builder address(Ipv4Interface v) { this.address = v; return this; }
        public Builder certificatePem(byte[] v) { this.certificatePem = v; return this; }
        public Builder privateKey(byte[] v) { this.privateKey = v; return this; }
        public Builder caBundlePem(byte[] v) { this.caBundlePem = v; return this; }
        public Builder lighthouses(List<Lighthouse> v) { this.lighthouses = new ArrayList<>(v); return this; }
        public Builder lighthouse(boolean v) { this.lighthouse = v; return this; }
        public Builder listenPort(int v) { this.listenPort = v; return this; }
        public Builder firewall(List<FirewallRule> v) { this.firewall = new ArrayList<>(v); return this; }
        public Builder stateDirectory(Path v) { this.stateDirectory = v; return this; }
        public Builder blocklist(List<String> v) { this.blocklist = new ArrayList<>(v); return this; }

        public OverlayConfig build() {
            return new OverlayConfig(this);
        }
    }
}
