package dev.meshjoin.core.address;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Classifies addresses so that nothing private is ever called public: RFC 1918, loopback,
 * link-local, carrier-grade NAT (100.64.0.0/10), documentation, benchmarking, multicast, reserved
 * and unique-local ranges. Container bridges (Docker's 172.17.0.0/16 and friends) fall inside
 * 172.16.0.0/12. An operator may allow a range explicitly (tests use 192.0.2.0/24 that way).
 */
public final class AddressClass {

    /** A named range. */
    public record Range(String name, byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }

        /** Parses {@code address/prefix}, IPv4 or IPv6 (a literal, never a name). */
        public static Range parse(String name, String cidr) {
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("'" + cidr + "' is not a CIDR range");
            }
            byte[] net = literal(cidr.substring(0, slash));
            int prefix = Integer.parseInt(cidr.substring(slash + 1));
            if (prefix < 0 || prefix > net.length * 8) {
                throw new IllegalArgumentException("'" + cidr + "' has a prefix outside 0.." + net.length * 8);
            }
            return new Range(name, net, prefix);
        }
    }

    private static final List<Range> NOT_PUBLIC = List.of(
            Range.parse("this network", "0.0.0.0/8"),
            Range.parse("private (RFC 1918)", "10.0.0.0/8"),
            Range.parse("carrier-grade NAT (RFC 6598)", "100.64.0.0/10"),
            Range.parse("loopback", "127.0.0.0/8"),
            Range.parse("link-local", "169.254.0.0/16"),
            Range.parse("private (RFC 1918; container bridges live here)", "172.16.0.0/12"),
            Range.parse("IETF protocol assignments", "192.0.0.0/24"),
            Range.parse("documentation (TEST-NET-1)", "192.0.2.0/24"),
            Range.parse("6to4 relay anycast", "192.88.99.0/24"),
            Range.parse("private (RFC 1918)", "192.168.0.0/16"),
            Range.parse("benchmarking", "198.18.0.0/15"),
            Range.parse("documentation (TEST-NET-2)", "198.51.100.0/24"),
            Range.parse("documentation (TEST-NET-3)", "203.0.113.0/24"),
            Range.parse("multicast", "224.0.0.0/4"),
            Range.parse("reserved", "240.0.0.0/4"),
            // IPv4-mapped IPv6 literals are parsed to IPv4 by the JDK, so the IPv4 ranges cover them.
            Range.parse("unspecified", "::/128"),
            Range.parse("loopback", "::1/128"),
            Range.parse("discard-only", "100::/64"),
            Range.parse("IETF protocol assignments", "2001::/23"),
            Range.parse("documentation", "2001:db8::/32"),
            Range.parse("unique-local", "fc00::/7"),
            Range.parse("link-local", "fe80::/10"),
            Range.parse("multicast", "ff00::/8"));

    private final List<Range> allowed;

    /** A classifier with no exceptions. */
    public AddressClass() {
        this(List.of());
    }

    /** A classifier that treats the given ranges as public even if they are not. */
    public AddressClass(List<Range> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /**
     * Why an address is not public, or null when it is.
     */
    public String whyNotPublic(InetAddress address) {
        byte[] raw = address.getAddress();
        for (Range r : allowed) {
            if (r.contains(raw)) {
                return null;
            }
        }
        for (Range r : NOT_PUBLIC) {
            if (r.contains(raw)) {
                return address.getHostAddress() + " is " + r.name();
            }
        }
        if (address instanceof Inet4Address && raw[0] == (byte) 255 && raw[1] == (byte) 255
                && raw[2] == (byte) 255 && raw[3] == (byte) 255) {
            return "255.255.255.255 is broadcast";
        }
        return null;
    }

    public boolean isPublic(InetAddress address) {
        return whyNotPublic(address) == null;
    }

    /**
     * Parses an IP literal without ever resolving a name.
     *
     * @throws IllegalArgumentException when the text is not an IPv4 or IPv6 literal
     */
    public static InetAddress parseLiteral(String text) {
        try {
            return InetAddress.getByAddress(literal(text));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address", e);
        }
    }

    static byte[] literal(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty() || t.length() > 45) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
        if (t.matches("[0-9.]+")) {
            try {
                return dev.meshjoin.api.net.Ipv4Address.parse(t).toBytes();
            } catch (dev.meshjoin.api.ConfigurationException e) {
                throw new IllegalArgumentException("'" + text + "' is not an IP address", e);
            }
        }
        if (!t.matches("[0-9a-fA-F:.]+") || !t.contains(":")) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
        try {
            // Only hex digits, colons and dots reach here, so this never performs a lookup.
            InetAddress a = InetAddress.getByName(t);
            byte[] raw = a.getAddress();
            if (a instanceof Inet6Address || raw.length == 4) {
                return raw;
            }
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address", e);
        }
    }
}
