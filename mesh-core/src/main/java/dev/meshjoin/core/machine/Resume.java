package dev.meshjoin.core.machine;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.lifecycle.Revocations;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.core.record.Role;
import dev.meshjoin.core.state.LocalState;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RECOVERING, for a member: a restarted node whose saved certificate is still valid, verifies
 * against the CA this node trusts and names its own key and address, starts the overlay with it
 * and does not join again. A node admitted with a one-use enrollment token can therefore restart;
 * its certificate is renewed over the overlay before it expires.
 */
final class Resume implements Step {
    private static final Logger LOG = LoggerFactory.getLogger(Resume.class);

    private final JoinRun run;
    private final NetworkView network;
    private final HostKeyPair hostKeys;
    private final HostCertificate cert;

    private Resume(JoinRun run, NetworkView network, HostKeyPair hostKeys, HostCertificate cert) {
        this.run = run;
        this.network = network;
        this.hostKeys = hostKeys;
        this.cert = cert;
    }

    /**
     * The step when this member's state directory holds a usable certificate for {@code network};
     * empty when it must join. The certificate must verify against the CA bundle of the record and
     * the CA the node was admitted under, carry the saved key and the saved address.
     */
    static Optional<Step> ifUsable(JoinRun run, NetworkView network) {
        NodeConfig c = run.config;
        Optional<LocalState.Identity> me = c.local.identity();
        Optional<HostKeyPair> keys = c.local.keyPair();
        Optional<byte[]> pem = c.local.certificate();
        if (me.isEmpty() || keys.isEmpty() || pem.isEmpty() || me.get().role() != Role.MEMBER
                || !network.name().equals(me.get().network()) || !network.caFingerprint().equals(me.get().caFingerprint())) {
            return Optional.empty();
        }
        HostCertificate cert;
        try {
            cert = c.caProvider.verifier(network.caBundle()).verify(pem.get(), c.clock.instant());
        } catch (InvalidCertificateException e) {
            LOG.info("{}: the saved certificate is no longer usable ({}); joining again", c.nodeName, e.getMessage());
            return Optional.empty();
        }
        boolean own = Arrays.equals(cert.publicKey(), keys.get().publicKey()) && cert.name().equals(c.nodeName)
                && cert.addresses().size() == 1 && cert.addresses().get(0).toString().equals(me.get().address())
                && network.cidr().contains(cert.address());
        if (!own) {
            LOG.info("{}: the saved certificate is not this node's key and address; joining again", c.nodeName);
            return Optional.empty();
        }
        return Optional.of(new Resume(run, network, keys.get(), cert));
    }

    @Override
    public NodeState state() {
        return NodeState.RECOVERING;
    }

    @Override
    public String detail() {
        return "restarting with the saved certificate (valid until " + cert.notAfter() + ")";
    }

    @Override
    public Step run() {
        NodeConfig c = run.config;
        Revocations.read(c.store, c.keys).refuseIfRevoked(c.nodeName, cert.fingerprint(), hostKeys.publicKey());
        run.certificate = cert;
        run.founder = false;
        LOG.info("{}: restarting at {} with its saved certificate {}", c.nodeName, cert.address(), cert.fingerprint());
        return new StartOverlay(run, hostKeys, cert, false);
    }
}
