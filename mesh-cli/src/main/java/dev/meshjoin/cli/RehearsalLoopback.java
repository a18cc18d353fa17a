package dev.meshjoin.cli;

import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.core.lifecycle.HttpStateChannel;
import dev.meshjoin.core.lifecycle.HttpStateServers;
import dev.meshjoin.core.lifecycle.StateChannel;
import dev.meshjoin.core.lifecycle.StateHandler;
import dev.meshjoin.core.lifecycle.StateServerFactory;
import dev.meshjoin.core.registry.RegistryWire;
import dev.meshjoin.core.state.Beat;
import java.util.List;
import java.util.function.Supplier;

/**
 * The state protocol of a {@link CdsTraining} rehearsal, over loopback instead of the overlay,
 * which the rehearsal does not have: the founder's state service (the real HTTP server) listens on
 * {@code 127.0.0.1}, the joiner's polls (the real HTTP client) go there instead of to the
 * lighthouse's overlay address, and the service takes a loopback caller for the joiner's overlay
 * address, as the kernel would have given it over the overlay. Never used outside the rehearsal.
 */
final class RehearsalLoopback {
    private final Endpoint service;
    private final Supplier<Ipv4Address> member;
    private final java.util.concurrent.atomic.AtomicInteger documents = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * @param port a free port on 127.0.0.1 for the founder's state service
     * @param member the joiner's overlay address, once its overlay has started
     */
    RehearsalLoopback(int port, Supplier<Ipv4Address> member) {
        this.service = new Endpoint("127.0.0.1", port);
        this.member = member;
    }

    /** The founder's state service: the real one, on loopback. */
    StateServerFactory servers() {
        HttpStateServers http = new HttpStateServers();
        return (overlayAddress, handler) -> http.start(service, new StateHandler() {
            @Override
            public Answer state(Ipv4Address caller, String ifNoneMatch, Beat beat) {
                return handler.state(member(caller), ifNoneMatch, beat);
            }

            @Override
            public String renew(Ipv4Address caller, byte[] publicKey) {
                return handler.renew(member(caller), publicKey);
            }

            @Override
            public List<RegistryWire.Found> services(Ipv4Address caller, String name) {
                return handler.services(member(caller), name);
            }
        });
    }

    /** The joiner's channel: the real HTTP client, sent to the founder's service on loopback. */
    StateChannel channel() {
        HttpStateChannel http = new HttpStateChannel();
        return new StateChannel() {
            @Override
            public StateHandler.Answer poll(Endpoint lighthouse, Ipv4Address self, String etag, Beat beat) {
                StateHandler.Answer a = http.poll(service, self, etag, beat);
                if (a.modified()) {
                    documents.incrementAndGet();
                }
                return a;
            }

            @Override
            public String renew(Endpoint lighthouse, Ipv4Address self, byte[] publicKey) {
                return http.renew(service, self, publicKey);
            }

            @Override
            public List<RegistryWire.Found> services(Endpoint lighthouse, Ipv4Address self, String name) {
                return http.services(service, self, name);
            }
        };
    }

    /** How many state documents the joiner's polls brought back. */
    int documents() {
        return documents.get();
    }

    private Ipv4Address member(Ipv4Address caller) {
        Ipv4Address m = member.get();
        return caller.toString().startsWith("127.") && m != null ? m : caller;
    }
}
