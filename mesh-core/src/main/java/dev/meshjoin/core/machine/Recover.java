package dev.meshjoin.core.machine;

import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.lighthouse.Lighthouse;
import dev.meshjoin.core.record.NetworkView;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RECOVERING: a restarted lighthouse (or founder) takes its role back: it opens the sealed CA,
 * keeps its address and, while still good, its certificate, and serves joins again.
 */
final class Recover implements Step {
    private static final Logger LOG = LoggerFactory.getLogger(Recover.class);

    private final JoinRun run;
    private final NetworkView network;

    Recover(JoinRun run, NetworkView network) {
        this.run = run;
        this.network = network;
    }

    @Override
    public NodeState state() {
        return NodeState.RECOVERING;
    }

    @Override
    public String detail() {
        return "this node is a lighthouse of " + network.name() + "; taking its role back";
    }

    @Override
    public Step run() throws InterruptedException {
        NodeConfig c = run.config;
        c.admission.prepare(network.joinNetwork());
        CertificateAuthority ca = run.vault().open(network);
        HostKeyPair hostKeys = c.local.keyPair().orElseThrow(() -> new MeshException("the state directory "
                + c.local.directory() + " lacks this lighthouse's key pair; restore it"));
        Ipv4Address address = network.lighthouse(c.nodeName).orElseThrow(() -> new MeshException(c.nodeName
                + " is not a lighthouse in the network record")).overlayAddress();
        Lighthouse lighthouse = run.newLighthouse(ca, network.cidr(), true);
        HostCertificate own = savedCertificate(ca, hostKeys, address)
                .orElseGet(() -> lighthouse.certify(c.nodeName, hostKeys.publicKey(), address, c.groups));
        lighthouse.claim(address, c.nodeName, hostKeys.publicKey(), own.notAfter());
        c.local.saveCertificate(own.pem());
        run.certificate = own;
        run.founder = network.record().founder().equals(c.nodeName);
        run.lighthouse = lighthouse;
        lighthouse.serve(c.signingEndpoint(), own);
        return new StartOverlay(run, hostKeys, own, true);
    }

    /** The saved certificate, while it is this key's, at this address and good for another hour. */
    private Optional<HostCertificate> savedCertificate(CertificateAuthority ca, HostKeyPair hostKeys, Ipv4Address address) {
        NodeConfig c = run.config;
        return c.local.certificate().flatMap(pem -> {
            try {
                HostCertificate cert = ca.verify(pem, c.clock.instant());
                return Arrays.equals(cert.publicKey(), hostKeys.publicKey()) && cert.address().equals(address)
                        && cert.notAfter().isAfter(c.clock.instant().plus(Duration.ofHours(1)))
                        ? Optional.of(cert) : Optional.empty();
            } catch (InvalidCertificateException e) {
                LOG.info("{}: saved certificate no longer usable ({}); issuing a new one", c.nodeName, e.getMessage());
                return Optional.empty();
            }
        });
    }
}
