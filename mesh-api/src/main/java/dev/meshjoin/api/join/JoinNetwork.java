package dev.meshjoin.api.join;

import dev.meshjoin.api.net.Ipv4Cidr;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * What a joining node knows of the network it joins, read from the network record: what a
 * credential binds its proof to and what a transport pins the lighthouse with.
 *
 * @param name the network's name
 * @param cidr its overlay network
 * @param caBundlePem the CA certificates it trusts, as PEM; the joiner pins them
 * @param lighthouses the names of its lighthouses (only they may answer a join)
 * @param salt the per-network random salt for keys derived from a passphrase or secret
 */
public record JoinNetwork(String name, Ipv4Cidr cidr, byte[] caBundlePem, Set<String> lighthouses, byte[] salt) {

    public JoinNetwork {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cidr, "cidr");
        caBundlePem = Objects.requireNonNull(caBundlePem, "caBundlePem").clone();
        lighthouses = Set.copyOf(lighthouses);
        salt = Objects.requireNonNull(salt, "salt").clone();
    }

    @Override
    public byte[] caBundlePem() {
        return caBundlePem.clone();
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JoinNetwork n && name.equals(n.name) && cidr.equals(n.cidr)
                && Arrays.equals(caBundlePem, n.caBundlePem) && lighthouses.equals(n.lighthouses)
                && Arrays.equals(salt, n.salt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, cidr, lighthouses);
    }

    @Override
    public String toString() {
        return "JoinNetwork[" + name + " " + cidr + ", lighthouses " + lighthouses + "]";
    }
}
