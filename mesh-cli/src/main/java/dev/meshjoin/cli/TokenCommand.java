package dev.meshjoin.cli;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.signing.EnrollmentToken;
import dev.meshjoin.core.signing.EnrollmentTokens;
import dev.meshjoin.core.store.BootstrapStores;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code meshctl token create --store URI [--network NAME] --groups a,b [--expires 24h] [--uses 1]}:
 * creates an enrollment token. The token is printed once on standard output; the store keeps only
 * its hash, so it cannot be shown again.
 */
public final class TokenCommand implements Command {
    private final Clock clock;

    public TokenCommand() {
        this(Clock.systemUTC());
    }

    TokenCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String name() {
        return "token";
    }

    @Override
    public String summary() {
        return "create an enrollment token (token create --groups workers --expires 24h --uses 10)";
    }

    @Override
    public int run(Invocation inv) {
        if (inv.args().isEmpty() || !inv.args().get(0).equals("create")) {
            throw new CliException("usage: meshctl token create --store URI [--network NAME] --groups a,b "
                    + "[--expires 24h] [--uses 1]");
        }
        Flags flags = new Flags("token create")
                .string("store", "the store URI, such as file:/var/lib/meshjoin/store")
                .string("network", "the network name", "mesh")
                .string("groups", "comma-separated groups the token grants (not lighthouse)", "")
                .string("expires", "how long the token admits joins (e.g. 30m, 24h, 168h)", "24h")
                .string("uses", "how many joins it admits", "1");
        Flags.Parsed p = flags.parse(inv.args().subList(1, inv.args().size()));
        Duration validity = dev.meshjoin.cli.nebula.GoDuration.parse("expires", p.get("expires"));
        int uses;
        try {
            uses = Integer.parseInt(p.get("uses"));
        } catch (NumberFormatException e) {
            throw new CliException("--uses must be a whole number, got '" + p.get("uses") + "'");
        }
        List<String> groups = new ArrayList<>();
        for (String g : p.get("groups").split(",")) {
            if (!g.isBlank()) {
                groups.add(g.strip());
            }
        }
        StoreKeys keys;
        try {
            keys = StoreKeys.of(p.get("network"));
        } catch (ConfigurationException e) {
            throw new CliException(e.getMessage());
        }
        try (BootstrapStore store = BootstrapStores.open(p.require("store"))) {
            EnrollmentToken token = new EnrollmentTokens(store, keys, clock).create(groups, validity, uses);
            inv.out().println(token.text());
            inv.err().println("token " + token.id() + " for network " + keys.networkName() + ": groups " + groups
                    + ", " + uses + " use(s), expires " + clock.instant().plus(validity)
                    + ". It is shown only now; the store keeps its hash.");
            return 0;
        } catch (ConfigurationException e) {
            throw new CliException(e.getMessage());
        }
    }
}
