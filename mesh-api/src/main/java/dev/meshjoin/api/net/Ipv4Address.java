package dev.meshjoin.api.net;

import dev.meshjoin.api.ConfigurationException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 address as an unsigned 32-bit value. Nebula's v1 certificates carry IPv4 overlay
 * addresses only, and allocation arithmetic is simpler on an int than on {@link InetAddress}.
 *
 * <pre>{@code
 * Ipv4Address a = Ipv4Address.parse("10.42.0.7");
 * a.next(); // 10.42.0.8
 * }</pre>
 *
 * @param bits the address, most significant octet first
 */
public record Ipv4Address(int bits) implements Comparable<Ipv4Address> {

    /**
     * Parses dotted-quad notation strictly: four decimal octets 0..255, no leading zeros beyond a
     * single {@code 0}, no surrounding whitespace.
     *
     * @throws ConfigurationException when the text is not an IPv4 address
     */
    public static Ipv4Address parse(String text) {
        if (text == null) {
            throw new ConfigurationException("an IPv4 address is required, got nothing");
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new ConfigurationException("'" + text + "' is not an IPv4 address; write four octets such as 10.42.0.1");
        }
        int bits = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                throw new ConfigurationException("'" + text + "' is not an IPv4 address; write four octets such as 10.42.0.1");
            }
            int octet = 0;
            for (int i = 0; i < part.length(); i++) {
                char c = part.charAt(i);
                if (c < '0' || c > '9') {
                    throw new ConfigurationException("'" + text + "' is not an IPv4 address; write four octets such as 10.42.0.1");
                }
                octet = octet * 10 + (c - '0');
            }
            if (octet > 255) {
                throw new ConfigurationException("'" + text + "' is not an IPv4 address: octet " + octet + " is above 255");
            }
            bits = (bits << 8) | octet;
        }
        return new Ipv4Address(bits);
    }

    /** From the four bytes of an address, most significant first. */
    public static Ipv4Address of(byte[] octets) {
        if (octets == null || octets.length != 4) {
            throw new ConfigurationException("an IPv4 address has exactly 4 bytes");
        }
        return new Ipv4Address(((octets[0] & 0xff) << 24) | ((octets[1] & 0xff) << 16)
                | ((octets[2] & 0xff) << 8) | (octets[3] & 0xff));
    }

    /** From a JDK address; refuses IPv6. */
    public static Ipv4Address of(InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            throw new ConfigurationException(address + " is not an IPv4 address");
        }
        return of(address.getAddress());
    }

    public byte[] toBytes() {
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    /** The JDK form; never performs a name lookup. */
    public Inet4Address toInetAddress() {
        try {
            return (Inet4Address) InetAddress.getByAddress(toBytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always a valid IPv4 address", e);
        }
    }

    /** The address as an unsigned long, for arithmetic that must not overflow. */
    public long unsigned() {
        return Integer.toUnsignedLong(bits);
    }

    public Ipv4Address next() {
        return new Ipv4Address(bits + 1);
    }

    @Override
    public int compareTo(Ipv4Address other) {
        return Integer.compareUnsigned(bits, other.bits);
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
    }
}
