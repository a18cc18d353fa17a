package dev.meshjoin.examples;

import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.overlay.OverlayDriver;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.api.join.Admission;
import dev.meshjoin.api.join.JoinCredentials;
import dev.meshjoin.api.join.JoinTransport;
import dev.meshjoin.api.join.SigningServerFactory;
import java.nio.file.Path;

/**
 * How a worker embeds a mesh join: the code shown in the README, kept here so that it compiles,
 * and run by a test so that it works. The parts are passed in; a worker wires the production ones
 * (the Nebula driver and CA, a store adapter, the signing service).
 */
public final class EmbeddedJoin {
    private EmbeddedJoin() {
    }

    /** Joins (or founds) the network and returns the node, or null when the worker should fall back. */
    public static MeshNode joinMesh(BootstrapStore store, CertificateAuthorityProvider certificates,
                                    OverlayDriver overlay, SecretCodecFactory caKeyCodec, JoinTransport transport,
                                    SigningServerFactory signingServers, Admission admission,
                                    JoinCredentials credentials, Path stateDir) {
        // README:begin
        MeshNode node = MeshNode.builder()
                .nodeName("worker-7")
                .networkName("prod")
                .store(store)
                .certificateAuthorities(certificates)
                .overlay(overlay)
                .caKeyCodec(caKeyCodec)
                .transport(transport)
                .signingServers(signingServers)
                .admission(admission)
                .credentials(credentials)
                .publicEndpoint(Endpoint.parse("198.51.100.7:4242"))
                .stateDirectory(stateDir)
                .listener((before, now) -> System.out.println(now.state() + " " + now.detail()))
                .build();

        NodeStatus status = node.join();
        if (status.state() != NodeState.READY) {
            // FAILED or FALLBACK: the cause says why; use the worker's other transport.
            System.err.println("mesh unavailable: " + status.detail());
            node.close();
            return null;
        }
        System.out.println("on the mesh at " + status.address().orElseThrow());
        // README:end
        return node;
    }
}
