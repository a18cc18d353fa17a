package dev.meshjoin.cli;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.secret.SecretValue;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.lifecycle.Revoker;
import dev.meshjoin.core.record.RevocationList;
import dev.meshjoin.core.store.BootstrapStores;
import dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider;
import java.time.Clock;
import java.util.List;

/**
 * {@code meshctl revoke --store URI --network NAME NODE}: revokes a node. Needs the CA passphrase
 * ({@code MESH_CA_PASSPHRASE} or {@code MESH_CA_PASSPHRASE_FILE}): the CA key must open with it.
 * Every lighthouse then refuses the node's renewal and re-join, and every node blocks its
 * certificates within one poll of the network state.
 */
public final class RevokeCommand implements Command {
    private final Clock clock;

    public RevokeCommand() {
        this(Clock.systemUTC());
    }

    RevokeCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String name() {
        return "revoke";
    }

    @Override
    public String summary() {
        return "revoke a node: every node blocks its certificates, lighthouses refuse it (needs the CA passphrase)";
    }

    @Override
    public int run(Invocation inv) {
        Flags flags = new Flags("revoke")
                .string("store", "the store URI, such as file:/var/lib/meshjoin/store")
                .string("network", "the network name", "mesh");
        Flags.Parsed p = flags.parse(inv.args());
        List<String> nodes = p.positional();
        if (nodes.size() != 1) {
            throw new CliException("usage: meshctl revoke --store URI [--network NAME] NODE (one node)");
        }
        SecretValue passphrase = inv.secrets().read("MESH_CA_PASSPHRASE").filter(v -> !v.isEmpty())
                .orElseThrow(() -> new CliException("revoke: revoking needs the CA passphrase; set MESH_CA_PASSPHRASE"
                        + " or put it in a file and set MESH_CA_PASSPHRASE_FILE"));
        passphrase.warnings().forEach(w -> Meshctl.warn(inv.err(), "revoke", w));
        try (BootstrapStore store = BootstrapStores.open(p.require("store"))) {
            RevocationList.Revoked r = Revoker.builder(store, p.get("network"))
                    .certificateAuthorities(new NebulaCertificateAuthorityProvider())
                    .caKeyCodec(dev.meshjoin.core.secret.SecretCodecs.passphrase(passphrase.chars())).clock(clock).build()
                    .revoke(nodes.get(0));
            inv.out().println("REVOKED " + r.node() + ": " + r.fingerprints().size() + " certificate(s), "
                    + r.keyIds().size() + " key(s); its address stays held until " + r.holdUntil());
            return 0;
        } catch (ConfigurationException e) {
            throw new CliException("revoke: " + e.getMessage());
        }
    }
}
