package dev.meshjoin.core.machine;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.core.NodeState;

/** READY: on the mesh; the join ends here. */
final class Ready implements Step {
    private final HostCertificate cert;

    Ready(HostCertificate cert) {
        this.cert = cert;
    }

    @Override
    public NodeState state() {
        return NodeState.READY;
    }

    @Override
    public String detail() {
        return "on the mesh at " + cert.addresses().get(0);
    }

    @Override
    public Step run() {
        return null;
    }
}
