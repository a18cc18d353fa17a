package dev.meshjoin.cli;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.cli.nebula.GoDuration;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.lighthouse.LighthouseWatch;

/**
 * {@code meshctl up}'s lighthouse flags: {@code --lighthouse} makes the node an additional
 * lighthouse and signing service; the others tune how a node that may serve keeps the network's
 * lighthouses at strength.
 */
final class LighthouseFlags {
    private LighthouseFlags() {
    }

    static Flags declare(Flags flags) {
        LighthouseWatch.Settings d = LighthouseWatch.Settings.DEFAULTS;
        return flags
                .bool("lighthouse", "serve as an additional lighthouse and signing service (needs --public-endpoint and"
                        + " the CA passphrase)")
                .string("lighthouse-grace", "a lighthouse not seen for this long is marked down", GoDuration.format(d.grace()))
                .string("lighthouse-target", "while fewer lighthouses are live, a node with --public-endpoint and the CA"
                        + " passphrase promotes itself", String.valueOf(d.target()))
                .string("lighthouse-interval", "how often a node that may serve checks the lighthouses",
                        GoDuration.format(d.interval()));
    }

    /**
     * Checks the flags before anything is opened: {@code --lighthouse} needs a public endpoint (the
     * CA passphrase is required with one anyway), the watch settings must make sense.
     *
     * @return the watch settings
     */
    static LighthouseWatch.Settings check(Flags.Parsed p, Endpoint publicEndpoint) {
        if (p.bool("lighthouse") && publicEndpoint == null) {
            throw new CliException("up: --lighthouse needs --public-endpoint HOST:PORT (where peers reach this"
                    + " lighthouse's Nebula port) and the CA passphrase in MESH_CA_PASSPHRASE or"
                    + " MESH_CA_PASSPHRASE_FILE", 2);
        }
        int target;
        try {
            target = Integer.parseInt(p.get("lighthouse-target"));
        } catch (NumberFormatException e) {
            throw new CliException("up: -lighthouse-target takes a whole number, got '" + p.get("lighthouse-target") + "'", 2);
        }
        try {
            return new LighthouseWatch.Settings(GoDuration.parse("lighthouse-interval", p.get("lighthouse-interval")),
                    GoDuration.parse("lighthouse-grace", p.get("lighthouse-grace")), target,
                    LighthouseWatch.Settings.DEFAULTS.promotionLease());
        } catch (ConfigurationException e) {
            throw new CliException("up: " + e.getMessage(), 2);
        }
    }

    /** Applies the checked flags to the node. */
    static MeshNode.Builder apply(Flags.Parsed p, LighthouseWatch.Settings settings, MeshNode.Builder node) {
        return node.lighthouse(p.bool("lighthouse")).lighthouseWatch(settings);
    }
}
