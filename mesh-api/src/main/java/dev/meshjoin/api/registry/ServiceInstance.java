package dev.meshjoin.api.registry;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A service instance as the node offering it announces it: the service's name, the port it listens
 * on at the node's overlay address, its protocol, its capacity relative to other instances of the
 * same name, and free-form tags.
 *
 * @param name the service's name: a DNS label (lower-case letters, digits, inner hyphens, at most 63)
 * @param port the TCP port on the node's overlay address, 1 to 65535
 * @param protocol what it speaks, {@code http} by default: lower-case letters, digits, {@code +.-}, at most 16
 * @param weight its capacity relative to other instances, 1 to 1000, 1 by default
 * @param tags free-form labels, at most 16 of at most 64 printable characters each, no comma
 */
public record ServiceInstance(String name, int port, String protocol, int weight, List<String> tags) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern PROTOCOL = Pattern.compile("[a-z][a-z0-9+.-]{0,15}");
    /** The most tags an instance carries. */
    public static final int MAX_TAGS = 16;
    /** The highest weight. */
    public static final int MAX_WEIGHT = 1000;

    public ServiceInstance {
        checkName(name);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("service " + name + ": port " + port + " is not between 1 and 65535");
        }
        protocol = protocol == null ? "http" : protocol;
        if (!PROTOCOL.matcher(protocol).matches()) {
            throw new IllegalArgumentException("service " + name + ": protocol '" + shown(protocol) + "' must be lower-case"
                    + " letters, digits and + . - (at most 16), such as http");
        }
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("service " + name + ": weight " + weight + " is not between 1 and " + MAX_WEIGHT);
        }
        tags = tags == null ? List.of() : List.copyOf(tags);
        if (tags.size() > MAX_TAGS) {
            throw new IllegalArgumentException("service " + name + ": " + tags.size() + " tags; at most " + MAX_TAGS);
        }
        for (String t : tags) {
            if (t.isEmpty() || t.length() > 64 || t.indexOf(',') >= 0 || !t.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("service " + name + ": tag '" + shown(t) + "' must be 1 to 64 printable"
                        + " ASCII characters without spaces or commas");
            }
        }
    }

    /** An HTTP instance of weight 1 without tags. */
    public static ServiceInstance of(String name, int port) {
        return new ServiceInstance(name, port, "http", 1, List.of());
    }

    /** The same instance with another weight. */
    public ServiceInstance withWeight(int w) {
        return new ServiceInstance(name, port, protocol, w, tags);
    }

    /** Whether {@code name} is a valid service name. */
    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Checks a service name.
     *
     * @throws IllegalArgumentException saying what a name must look like
     */
    public static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!validName(name)) {
            throw new IllegalArgumentException("service name '" + shown(name) + "' must be a DNS label: lower-case letters,"
                    + " digits and inner hyphens, 1 to 63 characters, such as echo or billing-api");
        }
        return name;
    }

    private static String shown(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(64).forEach(c -> b.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : "?"));
        return s.length() > 64 ? b + "..." : b.toString();
    }
}
