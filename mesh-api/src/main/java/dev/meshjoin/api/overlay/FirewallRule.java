package dev.meshjoin.api.overlay;

import dev.meshjoin.api.ConfigurationException;
import java.util.Objects;
import java.util.Set;

/**
 * One overlay firewall rule in Nebula's vocabulary.
 *
 * @param direction inbound or outbound
 * @param port a port, a range {@code 8000-8080}, or {@code any}
 * @param proto {@code any}, {@code tcp}, {@code udp} or {@code icmp}
 * @param host {@code any} or a node name; mutually exclusive with group
 * @param group a group name, or null
 */
public record FirewallRule(Direction direction, String port, String proto, String host, String group) {

    /** Which traffic a rule applies to. */
    public enum Direction { INBOUND, OUTBOUND }

    private static final Set<String> PROTOS = Set.of("any", "tcp", "udp", "icmp");

    public FirewallRule {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(proto, "proto");
        if (!PROTOS.contains(proto)) {
            throw new ConfigurationException("firewall proto '" + proto + "' is not one of " + PROTOS);
        }
        if (!port.matches("any|[0-9]{1,5}(-[0-9]{1,5})?")) {
            throw new ConfigurationException("firewall port '" + port + "' is not a port, a range a-b, or any");
        }
        if ((host == null) == (group == null)) {
            throw new ConfigurationException("a firewall rule names exactly one of host or group");
        }
    }

    /** Allows any traffic in the given direction from or to any host. */
    public static FirewallRule allowAny(Direction direction) {
        return new FirewallRule(direction, "any", "any", "any", null);
    }

    /** Allows inbound traffic on a port from one group. */
    public static FirewallRule inboundFromGroup(String port, String proto, String group) {
        return new FirewallRule(Direction.INBOUND, port, proto, null, group);
    }
}
