package dev.meshjoin.api.overlay;

import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import java.util.List;
import java.util.Objects;

/**
 * A lighthouse as an overlay node needs to know it: its overlay address and the public endpoints
 * where its overlay daemon listens.
 */
public record Lighthouse(String name, Ipv4Address overlayAddress, List<Endpoint> endpoints) {
    public Lighthouse {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(overlayAddress, "overlayAddress");
        endpoints = List.copyOf(endpoints);
    }
}
