package dev.meshjoin.nebula.overlay;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.overlay.FirewallRule;
import dev.meshjoin.api.overlay.Lighthouse;
import dev.meshjoin.api.overlay.OverlayConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Turns an {@link OverlayConfig} into Nebula's YAML config.
 *
 * <p>What it writes, and why:
 * <ul>
 *   <li>{@code pki}: the CA bundle, certificate and key <em>files</em> in the node's state
 *       directory (never inline PEM: {@code nebula -test} prints the config it reads), and
 *       {@code pki.blocklist} with the revoked fingerprints, and {@code pki.disconnect_invalid: true}
 *       so that a tunnel whose peer's certificate is revoked or expired is closed.</li>
 *   <li>{@code static_host_map} and {@code lighthouse.hosts} for every lighthouse of the network;
 *       a lighthouse lists the others, never itself.</li>
 *   <li>{@code listen}: {@code 0.0.0.0} and the configured port (a lighthouse must have a fixed
 *       one; other nodes normally use 0, a port the kernel picks).</li>
 *   <li>{@code punchy}: punch and respond, so nodes behind NAT reach each other directly.</li>
 *   <li>{@code relay}: lighthouses relay ({@code am_relay}); other nodes list every lighthouse in
 *       {@code relay.relays}; everyone may use relays. Two nodes that cannot punch through still
 *       talk through a lighthouse.</li>
 *   <li>{@code tun.dev}: a name unique per node given by the driver.</li>
 *   <li>{@code logging}: level info, format json, which the driver parses line by line.</li>
 *   <li>{@code firewall}: the config's rules, or {@link #DEFAULT_FIREWALL} when it has none. ICMP
 *       in and out is always allowed: the driver's health probe is a ping over the overlay.</li>
 * </ul>
 */
public final class NebulaConfigRenderer {

    /**
     * The firewall used when a config gives no rules: everything outbound; inbound ICMP from any
     * host and every port and protocol from any host of the network. {@code host: any} in Nebula
     * means any peer holding a certificate from this network's CA, and every such peer was
     * admitted by the signing service, so the default treats the mesh as one private network.
     * Pass rules (for instance {@link FirewallRule#inboundFromGroup}) to narrow it.
     */
    public static final List<FirewallRule> DEFAULT_FIREWALL = List.of(
            FirewallRule.allowAny(FirewallRule.Direction.OUTBOUND),
            new FirewallRule(FirewallRule.Direction.INBOUND, "any", "icmp", "any", null),
            FirewallRule.allowAny(FirewallRule.Direction.INBOUND));

    private static final FirewallRule PROBE_IN = new FirewallRule(FirewallRule.Direction.INBOUND, "any", "icmp", "any", null);
    private static final FirewallRule PROBE_OUT = new FirewallRule(FirewallRule.Direction.OUTBOUND, "any", "icmp", "any", null);

    /** Where the rendered config points Nebula for its key material. */
    public record PkiPaths(Path ca, Path cert, Path key) {
    }

    private NebulaConfigRenderer() {
    }

    /** Renders the config as a YAML document. */
    public static String render(OverlayConfig config, PkiPaths pki, String tunDevice) {
        return yaml().dump(toMap(config, pki, tunDevice));
    }

    static Yaml yaml() {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setPrettyFlow(true);
        return new Yaml(options);
    }

    /**
     * The config as nested maps and lists, in the order Nebula's documentation shows.
     *
     * @throws ConfigurationException when a lighthouse has no fixed port, another lighthouse has no
     *         endpoint, or the tun device name is not a valid interface name
     */
    public static Map<String, Object> toMap(OverlayConfig config, PkiPaths pki, String tunDevice) {
        checkTunName(tunDevice);
        if (config.lighthouse() && config.listenPort() == 0) {
            throw new ConfigurationException("lighthouse " + config.nodeName()
                    + " needs a fixed listen port (peers reach it there); set listenPort");
        }
        List<Lighthouse> others = new ArrayList<>();
        for (Lighthouse lh : config.lighthouses()) {
            if (lh.overlayAddress().equals(config.address().address())) {
                continue;
            }
            if (lh.endpoints().isEmpty()) {
                throw new ConfigurationException("lighthouse " + lh.name() + " (" + lh.overlayAddress()
                        + ") has no public endpoint, so no node can reach it; publish its endpoint first");
            }
            others.add(lh);
        }
        if (!config.lighthouse() && others.isEmpty()) {
            throw new ConfigurationException("node " + config.nodeName() + " is not a lighthouse and no other lighthouse is known");
        }

        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> pkiMap = new LinkedHashMap<>();
        pkiMap.put("ca", pki.ca().toString());
        pkiMap.put("cert", pki.cert().toString());
        pkiMap.put("key", pki.key().toString());
        if (!config.blocklist().isEmpty()) {
            pkiMap.put("blocklist", new ArrayList<>(config.blocklist()));
        }
        // A certificate blocked (or expired) after its tunnel came up drops that tunnel, not just new ones.
        pkiMap.put("disconnect_invalid", true);
        root.put("pki", pkiMap);

        Map<String, Object> hostMap = new LinkedHashMap<>();
        for (Lighthouse lh : others) {
            hostMap.put(lh.overlayAddress().toString(), lh.endpoints().stream().map(Endpoint::toString).toList());
        }
        root.put("static_host_map", hostMap);

        Map<String, Object> lighthouse = new LinkedHashMap<>();
        lighthouse.put("am_lighthouse", config.lighthouse());
        lighthouse.put("interval", 60);
        lighthouse.put("hosts", others.stream().map(l -> l.overlayAddress().toString()).toList());
        root.put("lighthouse", lighthouse);

        Map<String, Object> listen = new LinkedHashMap<>();
        listen.put("host", "0.0.0.0");
        listen.put("port", config.listenPort());
        root.put("listen", listen);

        Map<String, Object> punchy = new LinkedHashMap<>();
        punchy.put("punch", true);
        punchy.put("respond", true);
        root.put("punchy", punchy);

        Map<String, Object> relay = new LinkedHashMap<>();
        relay.put("am_relay", config.lighthouse());
        relay.put("use_relays", true);
        if (!config.lighthouse()) {
            relay.put("relays", others.stream().map(l -> l.overlayAddress().toString()).toList());
        }
        root.put("relay", relay);

        Map<String, Object> tun = new LinkedHashMap<>();
        tun.put("disabled", false);
        tun.put("dev", tunDevice);
        tun.put("drop_local_broadcast", false);
        tun.put("drop_multicast", false);
        tun.put("mtu", 1300);
        root.put("tun", tun);

        Map<String, Object> logging = new LinkedHashMap<>();
        logging.put("level", "info");
        logging.put("format", "json");
        root.put("logging", logging);

        List<FirewallRule> rules = new ArrayList<>(config.firewall().isEmpty() ? DEFAULT_FIREWALL : config.firewall());
        if (!rules.contains(PROBE_OUT)) {
            rules.add(PROBE_OUT);
        }
        if (!rules.contains(PROBE_IN)) {
            rules.add(PROBE_IN);
        }
        Map<String, Object> firewall = new LinkedHashMap<>();
        firewall.put("outbound", rules.stream().filter(r -> r.direction() == FirewallRule.Direction.OUTBOUND)
                .map(NebulaConfigRenderer::rule).toList());
        firewall.put("inbound", rules.stream().filter(r -> r.direction() == FirewallRule.Direction.INBOUND)
                .map(NebulaConfigRenderer::rule).toList());
        root.put("firewall", firewall);
        return root;
    }

    private static Map<String, Object> rule(FirewallRule r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("port", r.port());
        m.put("proto", r.proto());
        if (r.host() != null) {
            m.put("host", r.host());
        } else {
            m.put("group", r.group());
        }
        return m;
    }

    /** Linux interface names: 1..15 bytes, no slash, no whitespace, not "." or "..". */
    static void checkTunName(String name) {
        if (name == null || name.isEmpty() || name.length() > 15 || !name.matches("[A-Za-z0-9_.-]+")
                || name.equals(".") || name.equals("..")) {
            throw new ConfigurationException("'" + name + "' is not a valid tun device name (1-15 of A-Z a-z 0-9 _ . -)");
        }
    }
}
