package dev.meshjoin.cli.nebula;

import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.cli.Command;
import dev.meshjoin.cli.Flags;
import dev.meshjoin.cli.Invocation;
import dev.meshjoin.nebula.cert.HostKeys;
import dev.meshjoin.nebula.cert.NebulaPem;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * {@code meshctl keygen}: makes an X25519 host key pair; the public key goes to {@code sign -in-pub},
 * the private key stays on the host.
 *
 * <pre>
 * meshctl keygen -out-key host.key -out-pub host.pub
 * </pre>
 */
public final class KeygenCommand implements Command {

    @Override
    public String name() {
        return "keygen";
    }

    @Override
    public String summary() {
        return "create a host key pair; pass the public key to sign -in-pub (as nebula-cert keygen)";
    }

    @Override
    public int run(Invocation inv) {
        Flags.Parsed p = new Flags("keygen")
                .string("out-key", "Required: path to write the private key to")
                .string("out-pub", "Required: path to write the public key to")
                .parse(inv.args());
        Path key = inv.path(p.require("out-key"));
        Path pub = inv.path(p.require("out-pub"));
        CertFiles.requireAbsent("key", key, pub);
        HostKeyPair keys = HostKeys.generate(new SecureRandom());
        CertFiles.writeNew(key, NebulaPem.encodeX25519PrivateKey(keys.privateKey()));
        CertFiles.writeNew(pub, NebulaPem.encodeX25519PublicKey(keys.publicKey()));
        return 0;
    }
}
