package dev.meshjoin.core.testing;

import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.join.JoinHandler;
import dev.meshjoin.api.join.JoinNetwork;
import dev.meshjoin.api.join.JoinRequest;
import dev.meshjoin.api.join.JoinResponse;
import dev.meshjoin.api.join.JoinTransport;
import dev.meshjoin.api.join.SigningServerFactory;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.core.lifecycle.StateChannel;
import dev.meshjoin.core.lifecycle.StateHandler;
import dev.meshjoin.core.lifecycle.StateServerFactory;
import dev.meshjoin.core.state.Beat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Join requests carried by method call between nodes in one JVM: lighthouses register their
 * signing service under their endpoint, joiners call it. The lighthouse's real decision logic runs;
 * only the wire is missing. Every request that crossed it is kept for assertions.
 */
public final class InProcessJoinNetwork implements JoinTransport, SigningServerFactory, StateChannel, StateServerFactory {
    private final Map<Endpoint, JoinHandler> services = new ConcurrentHashMap<>();
    private final Map<Endpoint, StateHandler> stateServices = new ConcurrentHashMap<>();
    private final java.util.Set<Ipv4Address> cut = ConcurrentHashMap.newKeySet();
    private final List<JoinRequest> requests = new CopyOnWriteArrayList<>();

    @Override
    public SigningServer start(Endpoint bindTo, JoinHandler handler, CertificateAuthority ca,
                               HostCertificate lighthouseCertificate) {
        if (services.putIfAbsent(bindTo, handler) != null) {
            throw new MeshException("a signing service already listens at " + bindTo);
        }
        return new SigningServer() {
            @Override
            public Endpoint endpoint() {
                return bindTo;
            }

            @Override
            public void close() {
                services.remove(bindTo, handler);
            }
        };
    }

    @Override
    public JoinResponse join(Endpoint signingService, JoinRequest request, JoinNetwork network) {
        requests.add(request);
        JoinHandler handler = services.get(signingService);
        if (handler == null) {
            throw new MeshException("no signing service listens at " + signingService + " (connection refused)");
        }
        return handler.handle(request, "in-process:" + request.node());
    }

    @Override
    public StateServer start(Endpoint bindTo, StateHandler handler) {
        if (stateServices.putIfAbsent(bindTo, handler) != null) {
            throw new MeshException("a state service already listens at " + bindTo);
        }
        return new StateServer() {
            @Override
            public Endpoint endpoint() {
                return bindTo;
            }

            @Override
            public void close() {
                stateServices.remove(bindTo, handler);
            }
        };
    }

    private StateHandler stateService(Endpoint at, Ipv4Address self) {
        StateHandler h = stateServices.get(at);
        if (h == null || cut.contains(self)) {
            throw new MeshException("no state service answers at " + at + " (connection refused)");
        }
        return h;
    }

    @Override
    public StateHandler.Answer poll(Endpoint service, Ipv4Address self, String etag, Beat beat) {
        return stateService(service, self).state(self, etag, beat);
    }

    @Override
    public String renew(Endpoint service, Ipv4Address self, byte[] publicKey) {
        return stateService(service, self).renew(self, publicKey);
    }

    @Override
    public List<dev.meshjoin.core.registry.RegistryWire.Found> services(Endpoint service, Ipv4Address self, String name) {
        return stateService(service, self).services(self, name);
    }

    /** Cuts (or restores) a node's overlay: its polls and renewals fail as if it were offline. */
    public void offline(Ipv4Address node, boolean offline) {
        if (offline) {
            cut.add(node);
        } else {
            cut.remove(node);
        }
    }

    /** Every request sent, in order. */
    public List<JoinRequest> requests() {
        return List.copyOf(requests);
    }

    /** Endpoints with a running signing service. */
    public java.util.Set<Endpoint> listening() {
        return java.util.Set.copyOf(services.keySet());
    }
}
