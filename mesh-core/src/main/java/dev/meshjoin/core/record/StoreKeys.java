package dev.meshjoin.core.record;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.net.Ipv4Address;
import java.util.regex.Pattern;

/**
 * The layout of meshjoin's keys in a bootstrap store, for one network. Every key starts with
 * {@code mesh/<network>/}; {@code docs/store-schema.md} describes each value.
 *
 * <pre>{@code
 * StoreKeys keys = StoreKeys.of("prod");
 * keys.network();            // mesh/prod/network
 * keys.lease(addr);          // mesh/prod/ip/10.42.0.7
 * }</pre>
 */
public final class StoreKeys {
    /** Node and network names: a DNS label, 1..63 of a-z, 0-9 and '-', not starting or ending with '-'. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private final String network;
    private final String root;

    private StoreKeys(String network) {
        this.network = network;
        this.root = "mesh/" + network + "/";
    }

    /** The keys of one network; the network name must be a DNS label. */
    public static StoreKeys of(String network) {
        checkName("network name", network);
        return new StoreKeys(network);
    }

    /** Refuses anything but a lower-case DNS label, with a message that says what is allowed. */
    public static String checkName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ConfigurationException(what + " '" + printable(name) + "' is not allowed: use 1 to 63 of a-z, 0-9"
                    + " and '-', starting and ending with a letter or digit");
        }
        return name;
    }

    private static String printable(String s) {
        if (s == null) {
            return "null";
        }
        String shown = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    public String networkName() {
        return network;
    }

    /** Everything of this network. */
    public String root() {
        return root;
    }

    /** The network record. */
    public String network() {
        return root + "network";
    }

    /** The founder election claim. */
    public String founderClaim() {
        return root + "founder";
    }

    /** The claim of the one node that may promote itself to lighthouse now. */
    public String promotionClaim() {
        return root + "promotion";
    }

    /** A sealed CA private key, by the CA certificate's fingerprint. */
    public String caKey(String caFingerprint) {
        return root + "ca/" + caFingerprint + "/key";
    }

    /** Prefix of address leases. */
    public String leases() {
        return root + "ip/";
    }

    /** The lease of one address. */
    public String lease(Ipv4Address address) {
        return leases() + address;
    }

    /** Which address a node holds. */
    public String leaseOfNode(String node) {
        return root + "ip-node/" + node;
    }

    /** Prefix of member records. */
    public String members() {
        return root + "members/";
    }

    /** One member's record. */
    public String member(String node) {
        return members() + node;
    }

    /** Prefix of entry-point records. */
    public String entryPoints() {
        return root + "entry/";
    }

    /** One node's entry-point record. */
    public String entryPoint(String node) {
        return entryPoints() + node;
    }

    /** Every revoked node, in one record. */
    public String revocations() {
        return root + "revocations";
    }

    /** Prefix of the lighthouses' aggregated presence records. */
    public String presences() {
        return root + "presence/";
    }

    /** The aggregated presence record one lighthouse writes. */
    public String presence(String lighthouse) {
        return presences() + lighthouse;
    }

    /** Prefix of the lighthouses' service records. */
    public String serviceRecords() {
        return root + "services/";
    }

    /** The service instances one lighthouse saw live, written when that set changes. */
    public String services(String lighthouse) {
        return serviceRecords() + lighthouse;
    }

    /** The unexpired certificates issued to a node. */
    public String issued(String node) {
        return root + "certs/" + node;
    }
}
