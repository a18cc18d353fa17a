package dev.meshjoin.core.signing;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The key rate limits and connection caps count by: the source's /24 for IPv4 and /64 for IPv6.
 * One host, or one attacker with a block of addresses, gets one share; a single address would
 * let whoever holds a /64 (every IPv6 customer) appear as 2^64 sources.
 */
final class SourcePrefix {
    private SourcePrefix() {
    }

    /** {@code 192.0.2.0/24}, {@code 2001:db8:1:2::/64}. An IPv4-mapped IPv6 address counts as IPv4. */
    static String of(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address && isMappedV4(b)) {
            return (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + ".0/24";
        }
        if (address instanceof Inet4Address) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + ".0/24";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i += 2) {
            sb.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
        }
        return sb.append(":/64").toString();
    }

    private static boolean isMappedV4(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }
}
