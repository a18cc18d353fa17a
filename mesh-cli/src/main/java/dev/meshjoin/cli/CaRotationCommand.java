package dev.meshjoin.cli;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.secret.SecretValue;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.cli.nebula.GoDuration;
import dev.meshjoin.core.lighthouse.CaRotation;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.store.BootstrapStores;
import dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * {@code meshctl ca rotate} and {@code meshctl ca retire}: the CA rotation of a running network, in
 * its store. ({@code meshctl ca} with flags creates a CA file pair, as nebula-cert does.)
 *
 * <pre>
 * MESH_CA_PASSPHRASE_FILE=ca-passphrase meshctl ca rotate --store file:/var/lib/meshjoin/store --network prod
 * MESH_CA_PASSPHRASE_FILE=ca-passphrase meshctl ca retire --store file:/var/lib/meshjoin/store --network prod 5e1f…
 * </pre>
 */
public final class CaRotationCommand {
    static final Duration DEFAULT_VALIDITY = Duration.ofHours(8760);

    private CaRotationCommand() {
    }

    /** True when {@code meshctl ca}'s first argument names one of these subcommands. */
    public static boolean handles(List<String> args) {
        return !args.isEmpty() && (args.get(0).equals("rotate") || args.get(0).equals("retire")
                || args.get(0).equals("fingerprint"));
    }

    /** Runs {@code ca rotate …} or {@code ca retire …}; {@code args} start with the subcommand. */
    public static int run(Invocation inv) {
        String sub = inv.args().get(0);
        String command = "ca " + sub;
        Flags flags = new Flags(command)
                .string("store", "the store URI, such as file:/var/lib/meshjoin/store")
                .string("network", "the network name", "mesh");
        if (sub.equals("rotate")) {
            flags.string("duration", "how long the new CA is valid", GoDuration.format(DEFAULT_VALIDITY));
        }
        Flags.Parsed p = flags.parse(inv.args().subList(1, inv.args().size()));
        String storeUri = p.require("store");
        StoreKeys keys = StoreKeys.of(p.get("network"));
        String fingerprint = null;
        if (sub.equals("retire")) {
            if (p.positional().size() != 1) {
                throw new CliException("usage: meshctl ca retire --store URI --network NAME FINGERPRINT (the old CA's"
                        + " fingerprint, as meshctl ca rotate printed it)", 2);
            }
            fingerprint = p.positional().get(0);
        } else if (!p.positional().isEmpty()) {
            throw new CliException("usage: meshctl ca " + sub + " --store URI --network NAME"
                    + (sub.equals("rotate") ? " [--duration 8760h]" : ""), 2);
        }
        Duration validity = sub.equals("rotate") ? GoDuration.parse("duration", p.get("duration")) : null;
        if (validity != null && (validity.isNegative() || validity.isZero())) {
            throw new CliException(command + ": -duration must be positive, got " + p.get("duration"), 2);
        }
        SecretValue passphrase = inv.secrets().read("MESH_CA_PASSPHRASE").filter(v -> !v.isEmpty())
                .orElseThrow(() -> new CliException(command + ": set the CA passphrase in MESH_CA_PASSPHRASE or"
                        + " MESH_CA_PASSPHRASE_FILE; only its holders may change the network's CA", 2));
        passphrase.warnings().forEach(w -> Meshctl.warn(inv.err(), command, w));
        try (BootstrapStore store = BootstrapStores.open(storeUri)) {
            CaRotation rotation = new CaRotation(store, keys, new NebulaCertificateAuthorityProvider(),
                    dev.meshjoin.core.secret.SecretCodecs.passphrase(passphrase.chars()), Clock.systemUTC());
            if (sub.equals("fingerprint")) {
                // Checked, not just read: the CA whose sealed key this passphrase opens must have signed the record.
                BootstrapStore checked = dev.meshjoin.core.lighthouse.CaVault.trustedView(store, keys,
                        new NebulaCertificateAuthorityProvider(),
                        dev.meshjoin.core.secret.SecretCodecs.passphrase(passphrase.chars()));
                String fp = dev.meshjoin.core.record.NetworkRecords.read(checked, keys).orElseThrow(() -> new CliException(
                        command + ": there is no network " + keys.networkName() + " in " + storeUri, 1)).caFingerprint();
                inv.out().println(fp);
                inv.err().println("pin it on joiners: MESH_CA_FINGERPRINT=" + fp + " (or --ca-fingerprint " + fp + ")");
                return 0;
            }
            if (sub.equals("rotate")) {
                CaRotation.Rotated r = rotation.rotate(validity);
                inv.out().println("signing CA " + r.current() + " (valid until " + r.notAfter() + ")");
                inv.out().println("previous CA " + r.previous() + " stays trusted; once members have renewed:"
                        + " meshctl ca retire --store " + storeUri + " --network " + keys.networkName() + " " + r.previous());
            } else {
                rotation.retire(fingerprint);
                inv.out().println("retired CA " + fingerprint);
            }
            return 0;
        } catch (CaRotation.CaStillInUseException e) {
            throw new CliException(command + ": refused: " + Meshctl.oneLine(e.getMessage()), 1);
        } catch (ConfigurationException e) {
            throw new CliException(command + ": " + Meshctl.oneLine(e.getMessage()), 1);
        }
    }
}
