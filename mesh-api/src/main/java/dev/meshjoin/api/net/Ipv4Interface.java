package dev.meshjoin.api.net;

import dev.meshjoin.api.ConfigurationException;

/**
 * An address together with its network's prefix length, as Python's {@code IPv4Interface}:
 * {@code 10.42.0.7/16}. This is how Nebula certificates carry a host's overlay address.
 */
public record Ipv4Interface(Ipv4Address address, int prefixLength) {

    public Ipv4Interface {
        if (address == null) {
            throw new ConfigurationException("an interface address needs an address");
        }
        if (prefixLength < 0 || prefixLength > 32) {
            throw new ConfigurationException("prefix length " + prefixLength + " is outside 0..32");
        }
    }

    /** Parses {@code a.b.c.d/n}. */
    public static Ipv4Interface parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 0) {
            throw new ConfigurationException("'" + text + "' is not an address with prefix; write it as 10.42.0.7/16");
        }
        String prefix = text.substring(slash + 1);
        if (prefix.isEmpty() || prefix.length() > 2 || !prefix.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ConfigurationException("'" + text + "' has no valid prefix length 0..32");
        }
        return new Ipv4Interface(Ipv4Address.parse(text.substring(0, slash)), Integer.parseInt(prefix));
    }

    /** The network this address lies in. */
    public Ipv4Cidr network() {
        return new Ipv4Cidr(new Ipv4Address(address.bits() & Ipv4Cidr.mask(prefixLength)), prefixLength);
    }

    @Override
    public String toString() {
        return address + "/" + prefixLength;
    }
}
