package dev.meshjoin.core;

import dev.meshjoin.api.net.Ipv4Cidr;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The network a node belongs to, as a user sees it: a copy of what the network record said when
 * the node last read it, not the record itself (its layout is the store's business).
 *
 * @param name the network's name
 * @param cidr its overlay network
 * @param caType the certificate format, such as {@code nebula-v1}
 * @param caFingerprint the CA that signs its certificates
 * @param founder the node that founded it
 * @param foundedAt when
 * @param lighthouses the lighthouses' names and overlay addresses
 */
public record NetworkInfo(String name, Ipv4Cidr cidr, String caType, String caFingerprint, String founder,
                          Instant foundedAt, List<Lighthouse> lighthouses) {

    public NetworkInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cidr, "cidr");
        lighthouses = List.copyOf(lighthouses);
    }

    /**
     * One lighthouse.
     *
     * @param name its node name
     * @param overlayAddress its overlay address
     * @param endpoints where its overlay daemon is reached, {@code host:port}
     */
    public record Lighthouse(String name, String overlayAddress, List<String> endpoints) {
        public Lighthouse {
            endpoints = List.copyOf(endpoints);
        }
    }
}
