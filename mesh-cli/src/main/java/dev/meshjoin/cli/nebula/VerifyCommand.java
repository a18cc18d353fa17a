package dev.meshjoin.cli.nebula;

import dev.meshjoin.cli.CliException;
import dev.meshjoin.cli.Command;
import dev.meshjoin.cli.Flags;
import dev.meshjoin.cli.Invocation;
import dev.meshjoin.nebula.cert.NebulaCaPool;
import dev.meshjoin.nebula.cert.NebulaCertificate;
import java.time.Instant;

/**
 * {@code meshctl verify}: checks that a certificate is valid now and was signed by one of the CAs
 * of a bundle, within its constraints. Prints nothing and exits 0 when it is, like nebula-cert;
 * otherwise prints one line saying why and exits 1. As nebula-cert does, an expired CA anywhere
 * in the bundle is refused.
 *
 * <pre>
 * meshctl verify -ca ca.crt -crt host.crt
 * </pre>
 */
public final class VerifyCommand implements Command {

    @Override
    public String name() {
        return "verify";
    }

    @Override
    public String summary() {
        return "verify a certificate is valid now and signed by a trusted CA (as nebula-cert verify)";
    }

    @Override
    public int run(Invocation inv) {
        Flags.Parsed p = new Flags("verify")
                .string("ca", "Required: path to a file containing one or more ca certificates")
                .string("crt", "Required: path to a file containing a single certificate")
                .parse(inv.args());
        String caPath = p.require("ca");
        String crtPath = p.require("crt");
        Instant now = Instant.now();
        NebulaCaPool pool = NebulaCaPool.fromBundle(CertFiles.read(inv.path(caPath), "CA bundle"));
        for (NebulaCertificate ca : pool.certificates()) {
            if (ca.expired(now)) {
                throw new CliException("verify: the CA '" + ca.details().name() + "' in " + caPath
                        + " is outside its validity " + ca.details().notBefore() + ".." + ca.details().notAfter());
            }
        }
        pool.verify(NebulaCertificate.fromPem(CertFiles.read(inv.path(crtPath), "certificate")), now);
        return 0;
    }
}
