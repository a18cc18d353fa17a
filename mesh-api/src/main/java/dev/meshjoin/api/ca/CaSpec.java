package dev.meshjoin.api.ca;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.net.Ipv4Cidr;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a new certificate authority is created with: its name, how long it lives, and the
 * constraints every certificate it signs must respect (empty lists mean unconstrained), and how
 * long before now it becomes valid ({@code backdate}).
 */
public record CaSpec(String name, Duration validity, List<Ipv4Cidr> networks, List<Ipv4Cidr> subnets,
                     List<String> groups, Duration backdate) {

    /** A CA valid from now (as {@code nebula-cert ca} makes one). */
    public CaSpec(String name, Duration validity, List<Ipv4Cidr> networks, List<Ipv4Cidr> subnets, List<String> groups) {
        this(name, validity, networks, subnets, groups, Duration.ZERO);
    }

    public CaSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(validity, "validity");
        if (validity.isNegative() || validity.isZero()) {
            throw new ConfigurationException("CA validity must be positive, got " + validity);
        }
        networks = List.copyOf(networks);
        subnets = List.copyOf(subnets);
        groups = List.copyOf(groups);
        backdate = backdate == null ? Duration.ZERO : backdate;
        if (backdate.isNegative()) {
            throw new ConfigurationException("a CA cannot be dated into the future; got backdate " + backdate);
        }
    }

    /**
     * A CA for one overlay network, valid for {@code validity}, unconstrained in groups, and from
     * {@link CertificateAuthority#BACKDATE} ago so that nodes whose clocks are behind accept it.
     */
    public static CaSpec forNetwork(String name, Ipv4Cidr network, Duration validity) {
        return new CaSpec(name, validity, List.of(network), List.of(), List.of(), CertificateAuthority.BACKDATE);
    }
}
