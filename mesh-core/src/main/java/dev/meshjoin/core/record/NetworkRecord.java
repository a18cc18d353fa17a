package dev.meshjoin.core.record;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What every node reads first: the network exists, its CIDR, the CA it trusts, where its
 * lighthouses are. Written once by the founder with put-if-absent; only lighthouse changes update
 * it (compare-and-set).
 *
 * @param schema {@link Versioned#SCHEMA}
 * @param network the network name
 * @param cidr the overlay network, such as {@code 10.42.0.0/16}
 * @param caType the certificate format, such as {@code nebula-v1}
 * @param caBundle the trusted CA certificates as PEM text; joiners pin it
 * @param caFingerprint the fingerprint of the CA that signs new certificates
 * @param lighthouses every lighthouse
 * @param founder the founding node's name
 * @param foundedAt when the network was founded
 * @param secretSalt base64 of the random per-network salt for deriving keys from passphrases
 */
public record NetworkRecord(int schema, String network, String cidr, String caType, String caBundle,
                            String caFingerprint, List<LighthouseEntry> lighthouses, String founder,
                            Instant foundedAt, String secretSalt) implements Versioned {

    public NetworkRecord {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(cidr, "cidr");
        Objects.requireNonNull(caType, "caType");
        Objects.requireNonNull(caBundle, "caBundle");
        Objects.requireNonNull(caFingerprint, "caFingerprint");
        lighthouses = List.copyOf(Objects.requireNonNull(lighthouses, "lighthouses"));
        Objects.requireNonNull(founder, "founder");
        Objects.requireNonNull(foundedAt, "foundedAt");
        Objects.requireNonNull(secretSalt, "secretSalt");
    }

    /**
     * One lighthouse.
     *
     * @param name node name
     * @param overlayAddress its overlay address
     * @param endpoints public UDP endpoints of its overlay daemon, {@code host:port}
     * @param signingEndpoint where its signing service listens for joiners, {@code host:port}
     * @param downSince when the other lighthouses stopped seeing it for longer than the grace time;
     *     null (absent) while it is live
     */
    public record LighthouseEntry(String name, String overlayAddress, List<String> endpoints, String signingEndpoint,
                                  Instant downSince) {
        public LighthouseEntry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(overlayAddress, "overlayAddress");
            endpoints = List.copyOf(endpoints);
            Objects.requireNonNull(signingEndpoint, "signingEndpoint");
        }

        /** A live lighthouse. */
        public LighthouseEntry(String name, String overlayAddress, List<String> endpoints, String signingEndpoint) {
            this(name, overlayAddress, endpoints, signingEndpoint, null);
        }
    }
}
