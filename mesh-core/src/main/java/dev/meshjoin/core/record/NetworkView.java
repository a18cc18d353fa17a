package dev.meshjoin.core.record;

import dev.meshjoin.api.join.JoinNetwork;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Cidr;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A network record parsed once: its CIDR, lighthouses, endpoints and salt as types, so that no
 * step of the join parses a string of the record again. A record that does not parse is damaged
 * and refused with its key.
 */
public final class NetworkView {
    private final NetworkRecord record;
    private final Ipv4Cidr cidr;
    private final List<LighthouseView> lighthouses;
    private final byte[] salt;

    /**
     * One lighthouse, typed.
     *
     * @param name its node name
     * @param overlayAddress its overlay address
     * @param endpoints where its overlay daemon listens
     * @param signingEndpoint where its signing service listens
     * @param downSince since when it is marked down, or null while live
     */
    public record LighthouseView(String name, Ipv4Address overlayAddress, List<Endpoint> endpoints, Endpoint signingEndpoint,
                                 Instant downSince) {
        public LighthouseView {
            endpoints = List.copyOf(endpoints);
        }

        /** A live lighthouse. */
        public LighthouseView(String name, Ipv4Address overlayAddress, List<Endpoint> endpoints, Endpoint signingEndpoint) {
            this(name, overlayAddress, endpoints, signingEndpoint, null);
        }

        public boolean live() {
            return downSince == null;
        }

        /** The stored form. */
        public NetworkRecord.LighthouseEntry toEntry() {
            return new NetworkRecord.LighthouseEntry(name, overlayAddress.toString(),
                    endpoints.stream().map(Endpoint::toString).toList(), signingEndpoint.toString(), downSince);
        }
    }

    private NetworkView(NetworkRecord record, Ipv4Cidr cidr, List<LighthouseView> lighthouses, byte[] salt) {
        this.record = record;
        this.cidr = cidr;
        this.lighthouses = lighthouses;
        this.salt = salt;
    }

    /**
     * Parses the record's fields.
     *
     * @param key the store key, for the message
     * @throws Json.CorruptRecordException when a field does not parse
     */
    public static NetworkView of(NetworkRecord record, String key) {
        try {
            Ipv4Cidr cidr = Ipv4Cidr.parse(record.cidr());
            List<LighthouseView> lhs = record.lighthouses().stream().map(l -> new LighthouseView(l.name(),
                    Ipv4Address.parse(l.overlayAddress()), l.endpoints().stream().map(Endpoint::parse).toList(),
                    Endpoint.parse(l.signingEndpoint()), l.downSince())).toList();
            return new NetworkView(record, cidr, lhs, Base64.getDecoder().decode(record.secretSalt()));
        } catch (RuntimeException e) {
            throw new Json.CorruptRecordException(key, "a field does not parse (" + e.getMessage() + ")", e);
        }
    }

    /** Parses stored bytes. */
    public static NetworkView read(byte[] bytes, String key) {
        return of(Json.read(bytes, NetworkRecord.class, key), key);
    }

    public NetworkRecord record() {
        return record;
    }

    public String name() {
        return record.network();
    }

    public Ipv4Cidr cidr() {
        return cidr;
    }

    public List<LighthouseView> lighthouses() {
        return lighthouses;
    }

    public String caFingerprint() {
        return record.caFingerprint();
    }

    public String caType() {
        return record.caType();
    }

    /** The trusted CA bundle, as the PEM bytes a verifier takes. */
    public byte[] caBundle() {
        return record.caBundle().getBytes(StandardCharsets.US_ASCII);
    }

    /** The per-network salt for keys derived from passphrases. */
    public byte[] salt() {
        return salt.clone();
    }

    public Optional<LighthouseView> lighthouse(String node) {
        return lighthouses.stream().filter(l -> l.name().equals(node)).findFirst();
    }

    /** The lighthouses not marked down. */
    public List<LighthouseView> liveLighthouses() {
        return lighthouses.stream().filter(LighthouseView::live).toList();
    }

    public boolean isLighthouse(String node) {
        return lighthouse(node).isPresent();
    }

    public Set<Ipv4Address> lighthouseAddresses() {
        return lighthouses.stream().map(LighthouseView::overlayAddress).collect(Collectors.toUnmodifiableSet());
    }

    /** What a joiner's credential and transport need of this network. */
    public JoinNetwork joinNetwork() {
        return new JoinNetwork(record.network(), cidr, caBundle(),
                lighthouses.stream().map(LighthouseView::name).collect(Collectors.toUnmodifiableSet()), salt);
    }

    @Override
    public String toString() {
        return "NetworkView[" + record.network() + " " + cidr + ", " + lighthouses.size() + " lighthouses]";
    }
}
