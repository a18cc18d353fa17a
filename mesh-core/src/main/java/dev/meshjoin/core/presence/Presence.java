package dev.meshjoin.core.presence;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.core.state.Beat;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a ready node says about itself with every poll of the state document: its certificate,
 * its public endpoint and, when it serves as an entry point, that entry point, but only while its
 * port accepts connections. The lighthouse that answers the poll keeps it in memory and publishes
 * it in its aggregated presence record; the node itself writes nothing to the store.
 */
public final class Presence implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Presence.class);

    private final String node;
    private final EntryPointSpec entryPoint;
    private final Supplier<Optional<InetAddress>> publicAddress;
    private final String publicEndpoint;
    private volatile boolean published;

    /**
     * @param entryPoint what to offer, or null when this node is no entry point
     * @param publicAddress where peers reach it (detected); no entry point is offered without one
     * @param publicEndpoint its overlay daemon's public endpoint, or null
     */
    public Presence(String node, EntryPointSpec entryPoint, Supplier<Optional<InetAddress>> publicAddress,
                    String publicEndpoint) {
        this.node = node;
        this.entryPoint = entryPoint;
        this.publicAddress = publicAddress;
        this.publicEndpoint = publicEndpoint;
    }

    /** The beat to send now, for a node running with {@code cert}; checks the entry point's port. */
    public Beat beat(HostCertificate cert) {
        return new Beat(node, cert.fingerprint(), publicEndpoint, checkEntryPoint().orElse(null), false);
    }

    private Optional<Beat.EntryPoint> checkEntryPoint() {
        if (entryPoint == null) {
            return Optional.empty();
        }
        Optional<InetAddress> address = publicAddress.get();
        if (address.isEmpty()) {
            if (published) {
                LOG.info("{}: no public address detected; no longer offering an entry point", node);
            }
            published = false;
            return Optional.empty();
        }
        if (!listening(address.get(), entryPoint.port())) {
            if (published) {
                LOG.warn("{}: nothing accepts connections on port {}; withdrawing the entry point", node, entryPoint.port());
            }
            published = false;
            return Optional.empty();
        }
        published = true;
        return Optional.of(new Beat.EntryPoint(address.get().getHostAddress(), entryPoint.port(), entryPoint.services()));
    }

    /** Whether the last beat offered an entry point. */
    public boolean published() {
        return published;
    }

    /** True when a TCP connection to the port succeeds, at the public address or else on this host. */
    static boolean listening(InetAddress address, int port) {
        for (InetAddress target : new InetAddress[] {address, InetAddress.getLoopbackAddress()}) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(target, port), 500);
                return true;
            } catch (IOException e) {
                // try the next target
            }
        }
        return false;
    }

    @Override
    public void close() {
        published = false;
    }
}
