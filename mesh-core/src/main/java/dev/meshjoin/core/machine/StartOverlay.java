package dev.meshjoin.core.machine;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.overlay.Lighthouse;
import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.core.lifecycle.RunningOverlay;
import dev.meshjoin.api.overlay.OverlayException;
import dev.meshjoin.api.retry.Deadline;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.record.NetworkView;
import java.time.Duration;
import java.util.List;

/** STARTING_OVERLAY: brings the overlay up and waits until a peer answers over it. */
final class StartOverlay implements Step {
    private final JoinRun run;
    private final HostKeyPair hostKeys;
    private final HostCertificate cert;
    private final boolean lighthouse;

    StartOverlay(JoinRun run, HostKeyPair hostKeys, HostCertificate cert, boolean lighthouse) {
        this.run = run;
        this.hostKeys = hostKeys;
        this.cert = cert;
        this.lighthouse = lighthouse;
    }

    @Override
    public NodeState state() {
        return NodeState.STARTING_OVERLAY;
    }

    @Override
    public String detail() {
        return "starting the overlay at " + cert.addresses().get(0);
    }

    @Override
    public Step run() throws InterruptedException {
        NodeConfig c = run.config;
        NetworkView network = run.network;
        List<Lighthouse> lighthouses = OverlayRefresh.lighthousesOf(network);
        OverlayConfig config = OverlayConfig.builder()
                .nodeName(c.nodeName)
                .address(cert.addresses().get(0))
                .certificatePem(cert.pem())
                .privateKey(hostKeys.privateKey())
                .caBundlePem(network.caBundle())
                .lighthouses(lighthouses)
                .lighthouse(lighthouse)
                .listenPort(lighthouse ? c.publicEndpoint.port() : 0)
                .firewall(c.firewall)
                .stateDirectory(overlayDirectory(c))
                .build();
        run.checkCancelled();
        c.overlay.start(config);
        run.overlayStarted = true;
        run.overlay = new RunningOverlay(c.overlay, config);
        Duration wait = Deadline.current().cap(c.overlayTimeout);
        if (!c.overlay.awaitUp(wait)) {
            throw new OverlayException("no peer answered over the overlay within " + wait + " ("
                    + c.overlay.health().detail() + ")");
        }
        return new Register(run, hostKeys, cert, lighthouse);
    }

    /** Where the overlay keeps its files: {@code overlay} in the node's state directory. */
    static java.nio.file.Path overlayDirectory(NodeConfig c) {
        return c.local.directory().resolve("overlay");
    }
}
