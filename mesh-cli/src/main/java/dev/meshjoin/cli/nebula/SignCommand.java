package dev.meshjoin.cli.nebula;

import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.net.Ipv4Interface;
import dev.meshjoin.cli.CliException;
import dev.meshjoin.cli.Command;
import dev.meshjoin.cli.Flags;
import dev.meshjoin.cli.Invocation;
import dev.meshjoin.nebula.cert.HostKeys;
import dev.meshjoin.nebula.cert.NebulaCertificate;
import dev.meshjoin.nebula.cert.NebulaCertificateAuthority;
import dev.meshjoin.nebula.cert.NebulaPem;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * {@code meshctl sign}: signs a host certificate with a CA, with nebula-cert's flags and
 * defaults. With {@code -in-pub} the host's private key never comes near the CA; without it a key
 * pair is made and the private key written to {@code -out-key} (default {@code <name>.key}).
 *
 * <pre>
 * meshctl sign -name worker-7 -ip 10.42.0.7/16 -groups workers -in-pub worker-7.pub
 * </pre>
 */
public final class SignCommand implements Command {

    @Override
    public String name() {
        return "sign";
    }

    @Override
    public String summary() {
        return "create and sign a host certificate (as nebula-cert sign)";
    }

    private static Flags flags() {
        return new Flags("sign")
                .string("ca-crt", "Optional: path to the signing CA cert", "ca.crt")
                .string("ca-key", "Optional: path to the signing CA key", "ca.key")
                .string("duration", "Optional: how long the cert should be valid for. The default is 1 second before the "
                        + "signing cert expires. Valid time units are seconds: \"s\", minutes: \"m\", hours: \"h\"", "0s")
                .string("groups", "Optional: comma separated list of groups")
                .string("in-pub", "Optional (if out-key not set): path to read a previously generated public key")
                .string("ip", "Required: ipv4 address and network in CIDR notation to assign the cert")
                .string("name", "Required: name of the cert, usually a hostname")
                .string("out-crt", "Optional: path to write the certificate to")
                .string("out-key", "Optional (if in-pub not set): path to write the private key to")
                .string("out-qr", "Not supported: QR code output")
                .string("subnets", "Optional: comma separated list of ipv4 address and network in CIDR notation. "
                        + "Subnets this cert can serve for");
    }

    static void refuseQr(Flags.Parsed p, String command) {
        if (p.get("out-qr") != null) {
            throw new CliException(command + ": -out-qr is not supported by meshctl; use nebula-cert print -out-qr", 2);
        }
    }

    @Override
    public int run(Invocation inv) {
        Flags.Parsed p = flags().parse(inv.args());
        String name = p.require("name");
        String ipText = p.require("ip");
        refuseQr(p, "sign");
        if (p.get("in-pub") != null && p.get("out-key") != null) {
            throw new CliException("sign: cannot set both -in-pub and -out-key", 2);
        }
        Duration duration = GoDuration.parse("duration", p.get("duration"));
        if (duration.isNegative()) {
            throw new CliException("sign: -duration must not be negative, got " + p.get("duration"), 2);
        }
        Ipv4Interface ip = Ipv4Interface.parse(ipText);
        List<Ipv4Interface> subnets = CertFiles.list(p.get("subnets")).stream().map(Ipv4Interface::parse).toList();
        List<String> groups = CertFiles.list(p.get("groups"));

        NebulaCertificateAuthority ca = NebulaCertificateAuthority.load(
                CertFiles.read(inv.path(p.get("ca-crt")), "CA cert"),
                CertFiles.read(inv.path(p.get("ca-key")), "CA key"), Clock.systemUTC());

        Path outCrt = inv.path(p.get("out-crt") != null ? p.get("out-crt") : name + ".crt");
        Path outKey = null;
        HostKeyPair generated = null;
        byte[] publicKey;
        if (p.get("in-pub") != null) {
            publicKey = NebulaPem.decodeX25519PublicKey(CertFiles.read(inv.path(p.get("in-pub")), "public key"));
        } else {
            outKey = inv.path(p.get("out-key") != null ? p.get("out-key") : name + ".key");
            generated = HostKeys.generate(new SecureRandom());
            publicKey = generated.publicKey();
        }
        CertFiles.requireAbsent("key", outKey);
        CertFiles.requireAbsent("cert", outCrt);

        NebulaCertificate cert = ca.sign(new NebulaCertificateAuthority.SignRequest(publicKey, name, ip, groups, subnets,
                duration.isZero() ? null : duration));
        if (generated != null) {
            CertFiles.writeNew(outKey, NebulaPem.encodeX25519PrivateKey(generated.privateKey()));
        }
        CertFiles.writeNew(outCrt, cert.toPem());
        return 0;
    }
}
