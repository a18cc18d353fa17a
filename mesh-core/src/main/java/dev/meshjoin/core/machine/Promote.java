package dev.meshjoin.core.machine;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Interface;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.lighthouse.Lighthouse;
import dev.meshjoin.core.record.NetworkRecords;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.core.record.Role;
import dev.meshjoin.core.state.LocalState;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PROMOTING: this node becomes an additional lighthouse of an existing network: it opens the sealed
 * CA key with its CA passphrase, takes an address, signs its own certificate, adds itself to the
 * network record's lighthouses and serves joins.
 */
final class Promote implements Step {
    private static final Logger LOG = LoggerFactory.getLogger(Promote.class);

    private final JoinRun run;
    private final NetworkView network;

    Promote(JoinRun run, NetworkView network) {
        this.run = run;
        this.network = network;
    }

    @Override
    public NodeState state() {
        return NodeState.PROMOTING;
    }

    @Override
    public String detail() {
        return "opening the CA of " + network.name() + " to serve as an additional lighthouse";
    }

    @Override
    public Step run() throws InterruptedException {
        NodeConfig c = run.config;
        c.admission.prepare(network.joinNetwork());
        Lighthouse lighthouse = run.newLighthouse(run.vault().open(network), network.cidr(), false);
        HostKeyPair hostKeys = run.hostKeys();
        Ipv4Address address = lighthouse.allocate(c.nodeName, hostKeys.publicKey()).address();
        HostCertificate own = lighthouse.certify(c.nodeName, hostKeys.publicKey(), address, c.groups);
        run.network = NetworkRecords.addLighthouse(c.store, c.keys, network.caFingerprint(),
                new NetworkView.LighthouseView(c.nodeName, address, List.of(c.publicEndpoint), c.signingEndpoint()));
        c.local.saveCertificate(own.pem());
        c.local.saveIdentity(new LocalState.Identity(network.name(), c.nodeName, Role.LIGHTHOUSE,
                network.caFingerprint(), new Ipv4Interface(address, network.cidr().prefixLength()).toString()));
        c.trust.pin(java.util.List.of(network.caFingerprint()));
        run.certificate = own;
        run.founder = false;
        LOG.info("{} is now a lighthouse of {} at {}", c.nodeName, network.name(), address);
        run.lighthouse = lighthouse;
        lighthouse.serve(c.signingEndpoint(), own);
        return new StartOverlay(run, hostKeys, own, true);
    }
}
