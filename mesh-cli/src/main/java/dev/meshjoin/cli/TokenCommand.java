package dev.meshjoin.cli;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.signing.EnrollmentToken;
import dev.meshjoin.core.signing.EnrollmentTokens;
import dev.meshjoin.core.signing.TokenRecord;
import dev.meshjoin.core.store.BootstrapStores;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code meshctl token create|list|revoke}: enrollment tokens of a network.
 *
 * <pre>
 * meshctl token create --store URI [--network NAME] --groups a,b [--expires 24h] [--uses 1]
 * meshctl token list   --store URI [--network NAME] [--json]
 * meshctl token revoke --store URI [--network NAME] ID
 * </pre>
 *
 * A created token is printed once on standard output; the store keeps only its hash, so it cannot
 * be shown again, and {@code list} shows ids, groups, uses and expiry, never a token.
 */
public final class TokenCommand implements Command {
    static final String USAGE = "usage: meshctl token create|list|revoke --store URI [--network NAME] ...\n"
            + "  token create --groups a,b [--expires 24h] [--uses 1]   print a new token (shown once)\n"
            + "  token list [--json]                                    ids, groups, uses, expiry, state\n"
            + "  token revoke ID                                        refuse the token from now on";
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
        return "enrollment tokens: token create --groups workers --expires 24h --uses 10 | list | revoke ID";
    }

    /**
     * A token as {@code token list --json} shows it: never the token or its hash.
     *
     * @param state {@code active}, {@code expired} or {@code used-up}
     */
    public record TokenView(String id, List<String> groups, int uses, int maxUses, Instant createdAt,
                            Instant expiresAt, String state) {
        static TokenView of(TokenRecord r, Instant now) {
            String state = !now.isBefore(r.expiresAt()) ? "expired" : r.uses() >= r.maxUses() ? "used-up" : "active";
            return new TokenView(r.id(), r.groups(), r.uses(), r.maxUses(), r.createdAt(), r.expiresAt(), state);
        }
    }

    private static Flags flags(String sub) {
        Flags f = new Flags("token " + sub)
                .string("store", "Required: the store URI, such as file:/var/lib/meshjoin/store")
                .string("network", "the network name", "mesh");
        switch (sub) {
            case "create" -> f.string("groups", "comma-separated groups the token grants (not lighthouse)", "")
                    .string("expires", "how long the token admits joins (e.g. 30m, 24h, 168h)", "24h")
                    .string("uses", "how many joins it admits", "1");
            case "list" -> f.bool("json", "print a JSON array");
            default -> { }
        }
        return f;
    }

    @Override
    public int run(Invocation inv) {
        List<String> args = inv.args();
        if (args.isEmpty() || List.of("-h", "-help", "--help").contains(args.get(0))) {
            throw args.isEmpty() ? new CliException(USAGE, ExitStatus.USAGE) : new HelpRequest(USAGE);
        }
        String sub = args.get(0);
        if (!List.of("create", "list", "revoke").contains(sub)) {
            throw new CliException("token: unknown subcommand '" + Meshctl.oneLine(sub) + "'\n" + USAGE, ExitStatus.USAGE);
        }
        Flags.Parsed p = flags(sub).parse(args.subList(1, args.size()));
        String storeUri = p.requireAll("store").get(0);
        StoreKeys keys;
        try {
            keys = StoreKeys.of(p.get("network"));
        } catch (ConfigurationException e) {
            throw new CliException(e.getMessage(), ExitStatus.USAGE);
        }
        if (sub.equals("create")) {
            return create(inv, p, storeUri, keys);
        }
        if (sub.equals("revoke") && p.positional().size() != 1) {
            throw new CliException("token revoke: give the id of one token (meshctl token list shows them)", ExitStatus.USAGE);
        }
        try (BootstrapStore store = BootstrapStores.open(storeUri)) {
            EnrollmentTokens tokens = new EnrollmentTokens(store, keys, clock);
            if (sub.equals("list")) {
                Instant now = clock.instant();
                List<TokenView> views = tokens.list().stream().map(r -> TokenView.of(r, now)).toList();
                if (p.bool("json")) {
                    CliJson.println(inv.out(), views);
                } else {
                    print(inv.out(), views);
                }
                return ExitStatus.OK;
            }
            String id = p.positional().get(0);
            if (!tokens.revoke(id)) {
                throw new CliException("token revoke: network " + keys.networkName() + " has no token " + Meshctl.oneLine(id)
                        + " (meshctl token list shows them)");
            }
            inv.err().println("token " + id + " of network " + keys.networkName() + " revoked: joins presenting it are refused");
            return ExitStatus.OK;
        } catch (ConfigurationException e) {
            throw new CliException("token " + sub + ": " + e.getMessage());
        }
    }

    private int create(Invocation inv, Flags.Parsed p, String storeUri, StoreKeys keys) {
        Duration validity = dev.meshjoin.cli.nebula.GoDuration.parse("expires", p.get("expires"));
        int uses;
        try {
            uses = Integer.parseInt(p.get("uses"));
        } catch (NumberFormatException e) {
            throw new CliException("token create: --uses must be a whole number, got '" + Meshctl.oneLine(p.get("uses")) + "'",
                    ExitStatus.USAGE);
        }
        List<String> groups = new ArrayList<>();
        for (String g : p.get("groups").split(",")) {
            if (!g.isBlank()) {
                groups.add(g.strip());
            }
        }
        // A token record is signed by the network's CA, so creating one takes the CA passphrase.
        dev.meshjoin.api.secret.SecretValue passphrase = inv.secrets().read("MESH_CA_PASSPHRASE").filter(v -> !v.isEmpty())
                .orElseThrow(() -> new CliException("token create: set the CA passphrase in MESH_CA_PASSPHRASE or"
                        + " MESH_CA_PASSPHRASE_FILE: a token record is signed by the network's CA, and lighthouses"
                        + " refuse one it did not sign", ExitStatus.USAGE));
        try (BootstrapStore raw = BootstrapStores.open(storeUri)) {
            BootstrapStore store = dev.meshjoin.core.lighthouse.CaVault.trustedView(raw, keys,
                    new dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider(),
                    dev.meshjoin.core.secret.SecretCodecs.passphrase(passphrase.chars()));
            EnrollmentToken token = new EnrollmentTokens(store, keys, clock).create(groups, validity, uses);
            inv.out().println(token.text());
            inv.err().println("token " + token.id() + " for network " + keys.networkName() + ": groups " + groups
                    + ", " + uses + " use(s), expires " + clock.instant().plus(validity)
                    + ". It is shown only now; the store keeps its hash.");
            return ExitStatus.OK;
        } catch (ConfigurationException e) {
            throw new CliException(e.getMessage());
        }
    }

    private static void print(PrintStream out, List<TokenView> views) {
        String format = "%-16s  %-8s  %-9s  %-20s  %-20s  %s%n";
        out.printf(format, "ID", "STATE", "USES", "CREATED", "EXPIRES", "GROUPS");
        DateTimeFormatter iso = DateTimeFormatter.ISO_INSTANT;
        for (TokenView v : views) {
            out.printf(format, v.id(), v.state(), v.uses() + "/" + v.maxUses(),
                    iso.format(v.createdAt().truncatedTo(ChronoUnit.SECONDS)),
                    iso.format(v.expiresAt().truncatedTo(ChronoUnit.SECONDS)),
                    v.groups().isEmpty() ? "-" : String.join(",", v.groups()));
        }
        out.printf("%d tokens, %d active%n", views.size(), views.stream().filter(v -> v.state().equals("active")).count());
    }
}
