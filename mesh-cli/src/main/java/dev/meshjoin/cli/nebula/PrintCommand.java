package dev.meshjoin.cli.nebula;

import dev.meshjoin.cli.Command;
import dev.meshjoin.cli.Flags;
import dev.meshjoin.cli.Invocation;
import dev.meshjoin.nebula.cert.NebulaCertificate;

/**
 * {@code meshctl print}: prints every certificate of a file as nebula-cert does, as text or, with
 * {@code -json}, one JSON object per line in the same shape as {@code nebula-cert print -json}.
 *
 * <pre>
 * meshctl print -path host.crt -json
 * </pre>
 */
public final class PrintCommand implements Command {

    @Override
    public String name() {
        return "print";
    }

    @Override
    public String summary() {
        return "print the details of certificates (as nebula-cert print)";
    }

    @Override
    public int run(Invocation inv) {
        Flags.Parsed p = new Flags("print")
                .bool("json", "Optional: outputs certificates in json format")
                .string("out-qr", "Not supported: QR code output")
                .string("path", "Required: path to the certificate")
                .parse(inv.args());
        String path = p.require("path");
        SignCommand.refuseQr(p, "print");
        boolean json = p.bool("json");
        for (NebulaCertificate cert : NebulaCertificate.parseBundle(CertFiles.read(inv.path(path), "certificate"))) {
            inv.out().print((json ? cert.toJson() : cert.toText()) + "\n");
        }
        inv.out().flush();
        return 0;
    }
}
