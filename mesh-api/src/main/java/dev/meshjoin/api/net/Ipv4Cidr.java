package dev.meshjoin.api.net;

import dev.meshjoin.api.ConfigurationException;

/**
 * An IPv4 network in CIDR notation, such as the overlay's {@code 10.42.0.0/16}. The base address
 * is always the network address: {@code parse("10.42.3.7/16")} is refused rather than silently
 * truncated, because an operator who wrote that most likely meant something else.
 *
 * @param network the network address (host bits zero)
 * @param prefixLength 0..32
 */
public record Ipv4Cidr(Ipv4Address network, int prefixLength) {

    public Ipv4Cidr {
        if (network == null) {
            throw new ConfigurationException("a CIDR needs a network address");
        }
        if (prefixLength < 0 || prefixLength > 32) {
            throw new ConfigurationException("prefix length " + prefixLength + " is outside 0..32");
        }
        if ((network.bits() & ~mask(prefixLength)) != 0) {
            throw new ConfigurationException(network + "/" + prefixLength + " has host bits set; the network address is "
                    + new Ipv4Address(network.bits() & mask(prefixLength)) + "/" + prefixLength);
        }
    }

    /** Parses {@code a.b.c.d/n}. */
    public static Ipv4Cidr parse(String text) {
        if (text == null) {
            throw new ConfigurationException("a CIDR such as 10.42.0.0/16 is required, got nothing");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new ConfigurationException("'" + text + "' is not a CIDR; write it as 10.42.0.0/16");
        }
        String prefix = text.substring(slash + 1);
        if (prefix.isEmpty() || prefix.length() > 2 || !prefix.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ConfigurationException("'" + text + "' is not a CIDR; the prefix length must be a number 0..32");
        }
        return new Ipv4Cidr(Ipv4Address.parse(text.substring(0, slash)), Integer.parseInt(prefix));
    }

    /** The netmask of a prefix length, as bits. */
    public static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public int mask() {
        return mask(prefixLength);
    }

    public boolean contains(Ipv4Address address) {
        return (address.bits() & mask()) == network.bits();
    }

    /** True when {@code other} lies entirely inside this network. */
    public boolean contains(Ipv4Cidr other) {
        return other.prefixLength >= prefixLength && contains(other.network);
    }

    /** Number of addresses, including network and broadcast. */
    public long size() {
        return 1L << (32 - prefixLength);
    }

    public Ipv4Address broadcast() {
        return new Ipv4Address(network.bits() | ~mask());
    }

    /** The address at {@code offset} from the network address. */
    public Ipv4Address addressAt(long offset) {
        if (offset < 0 || offset >= size()) {
            throw new ConfigurationException("offset " + offset + " is outside " + this);
        }
        return new Ipv4Address((int) (network.unsigned() + offset));
    }

    /** Offset of an address inside this network. */
    public long offsetOf(Ipv4Address address) {
        if (!contains(address)) {
            throw new ConfigurationException(address + " is outside " + this);
        }
        return address.unsigned() - network.unsigned();
    }

    @Override
    public String toString() {
        return network + "/" + prefixLength;
    }
}
