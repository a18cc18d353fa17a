package dev.meshjoin.cli.nebula;

import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.cli.CliException;
import dev.meshjoin.cli.Command;
import dev.meshjoin.cli.Flags;
import dev.meshjoin.cli.Invocation;
import dev.meshjoin.nebula.cert.NebulaCertificateAuthority;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * {@code meshctl ca}: creates a self-signed Nebula CA, with nebula-cert's flags and defaults.
 *
 * <pre>
 * meshctl ca -name "My mesh" -ips 10.42.0.0/16 -groups workers,ops -duration 8760h
 * </pre>
 *
 * <p>{@code meshctl ca rotate} and {@code meshctl ca retire} change a running network's CA in its
 * store instead (see {@link dev.meshjoin.cli.CaRotationCommand}).
 */
public final class CaCommand implements Command {
    static final Duration DEFAULT_DURATION = Duration.ofHours(8760);

    @Override
    public String name() {
        return "ca";
    }

    @Override
    public String summary() {
        return "create a self signed certificate authority (as nebula-cert ca); ca rotate|retire: change a network's CA; ca fingerprint: print the CA to pin";
    }

    private static Flags flags() {
        return new Flags("ca")
                .string("name", "Required: name of the certificate authority")
                .string("duration", "Optional: amount of time the certificate should be valid for. Valid time units are "
                        + "seconds: \"s\", minutes: \"m\", hours: \"h\"", GoDuration.format(DEFAULT_DURATION))
                .string("groups", "Optional: comma separated list of groups. This will limit which groups subordinate certs can use")
                .string("ips", "Optional: comma separated list of ipv4 address and network in CIDR notation. This will limit "
                        + "which ipv4 addresses and networks subordinate certs can use for ip addresses")
                .string("subnets", "Optional: comma separated list of ipv4 address and network in CIDR notation. This will "
                        + "limit which ipv4 addresses and networks subordinate certs can use in subnets")
                .string("out-crt", "Optional: path to write the certificate to", "ca.crt")
                .string("out-key", "Optional: path to write the private key to", "ca.key")
                .string("out-qr", "Not supported: QR code output");
    }

    @Override
    public int run(Invocation inv) {
        if (dev.meshjoin.cli.CaRotationCommand.handles(inv.args())) {
            return dev.meshjoin.cli.CaRotationCommand.run(inv);
        }
        Flags.Parsed p = flags().parse(inv.args());
        String name = p.require("name");
        SignCommand.refuseQr(p, "ca");
        Duration duration = GoDuration.parse("duration", p.get("duration"));
        if (duration.isNegative() || duration.isZero()) {
            throw new CliException("ca: -duration must be positive, got " + p.get("duration"), 2);
        }
        List<Ipv4Cidr> ips = CertFiles.list(p.get("ips")).stream().map(Ipv4Cidr::parse).toList();
        List<Ipv4Cidr> subnets = CertFiles.list(p.get("subnets")).stream().map(Ipv4Cidr::parse).toList();
        List<String> groups = CertFiles.list(p.get("groups"));
        Path crt = inv.path(p.get("out-crt"));
        Path key = inv.path(p.get("out-key"));
        CertFiles.requireAbsent("CA key", key);
        CertFiles.requireAbsent("CA cert", crt);
        NebulaCertificateAuthority ca = NebulaCertificateAuthority.create(
                new CaSpec(name, duration, ips, subnets, groups), Clock.systemUTC(), new SecureRandom());
        CertFiles.writeNew(key, ca.exportPrivateKey());
        CertFiles.writeNew(crt, ca.certificate().toPem());
        return 0;
    }
}
