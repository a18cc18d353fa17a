package dev.meshjoin.core.machine;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.store.Consistency;
import dev.meshjoin.core.address.DetectedAddress;
import dev.meshjoin.core.lifecycle.CertificateLedger;
import dev.meshjoin.core.lifecycle.LighthouseSources;
import dev.meshjoin.core.lifecycle.LivePresence;
import dev.meshjoin.core.lifecycle.StateFollower;
import dev.meshjoin.core.lifecycle.StateHandler;
import dev.meshjoin.core.lifecycle.StateService;
import dev.meshjoin.core.presence.Presence;
import dev.meshjoin.core.record.NetworkRecord;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.core.registry.LighthouseRegistry;
import dev.meshjoin.core.registry.ServiceView;
import dev.meshjoin.core.state.Beat;
import dev.meshjoin.core.state.StateDocument;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts what keeps a ready node alive in its network. A member follows the lighthouses' state
 * services over the overlay. A lighthouse starts its own state service on its overlay address (on
 * its signing port) and follows itself through it, refreshing revocations from the store every
 * {@code lighthouseRefresh} (the network record every 12th time) and sweeping its presence.
 */
final class Following {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Following.class);
    /** Every this many refreshes a lighthouse also reads the network record. */
    private static final int NETWORK_EVERY = 12;

    private Following() {
    }

    static void start(JoinRun run, HostKeyPair keys, HostCertificate cert, boolean lighthouse) {
        NodeConfig c = run.config;
        NetworkView network = run.network;
        Presence presence = new Presence(c.nodeName, c.entryPoint,
                () -> c.addressDetector.detect(run.observedSource()).map(DetectedAddress::address),
                c.publicEndpoint == null ? null : c.publicEndpoint.toString());
        run.presence = presence;
        StateFollower.Builder b = StateFollower.builder().node(c.nodeName).clock(c.clock)
                .overlay(run.overlay).local(c.local).keys(keys)
                .verifiers(c.caProvider::verifier).beats(own -> c.services.decorate(presence.beat(own), own.address())).certificate(cert)
                .documentCheck(doc -> {
                    c.trust.verifyStatement(StateDocument.signedContext(c.keys), doc.signedPart(), doc.signatures(),
                            "a lighthouse");
                    c.trust.adopt(doc.state().caBundle(), doc.state().caFingerprint());
                })
                .onCertificate(next -> {
                    run.certificate = next;
                    if (run.lighthouse != null) {
                        run.lighthouse.renewService(next);
                    }
                    try {
                        c.events.certificateRenewed(next);
                    } catch (RuntimeException e) {
                        LOG.warn("{}: a node events listener failed: {}", c.nodeName, e.toString());
                    }
                });
        if (lighthouse) {
            LivePresence live = new LivePresence(c.store, c.keys, c.nodeName, c.clock, c.heartbeat,
                    c.pollInterval.multipliedBy(4));
            StateService service = new StateService(run.lighthouse, network, live, new ServiceView(c.store, c.keys,
                    c.nodeName, c.clock, LighthouseRegistry.expiry(c.pollInterval)));
            CertificateLedger.record(c.store, c.keys, cert, c.clock.instant());
            run.stateService = service;
            Endpoint bind = new Endpoint(cert.address().toString(), statePort(network, c.nodeName));
            serve(run, bind, service);
            AtomicInteger round = new AtomicInteger();
            Ipv4Address self = cert.address();
            b.interval(refreshEvery(c)).source(new StateFollower.Source() {
                @Override
                public StateHandler.Answer poll(String etag, Beat beat) {
                    return service.state(self, etag, beat);
                }

                @Override
                public String renew(byte[] publicKey) {
                    return service.renew(self, publicKey);
                }
            }).beforePoll(() -> {
                if (run.stateServer == null) {
                    serve(run, bind, service);
                }
                service.refresh(round.incrementAndGet() % NETWORK_EVERY == 0);
                live.sweep();
                service.services().sweep();
            });
        } else {
            StateFollower[] self = new StateFollower[1];
            b.interval(c.pollInterval)
                    .source(new LighthouseSources(c.stateChannel, () -> services(self[0], run.network), cert.address(),
                            c.clock))
                    .rejoin(() -> Join.rejoin(run, keys));
            self[0] = b.build();
            start(run, self[0]);
            return;
        }
        start(run, b.build());
    }

    /**
     * How often a lighthouse reads revocations from the store: {@code lighthouseRefresh}, but on an
     * eventual store no more often than a quarter of its propagation bound (15 s on Workers KV). A
     * revocation takes up to the bound to reach a lighthouse there anyway, and each read is one of the
     * account's requests (5,760 a day at 15 s rather than 17,280 at 5 s).
     */
    static Duration refreshEvery(NodeConfig c) {
        Consistency k = c.store.consistency();
        Duration quarter = k.propagationBound().dividedBy(4);
        return k.isLinearizable() || quarter.compareTo(c.lighthouseRefresh) <= 0 ? c.lighthouseRefresh : quarter;
    }

    /**
     * Starts the state service; when the overlay address cannot be bound (yet), the lighthouse still
     * serves joins and tries again at its next refresh, and its members keep their last state meanwhile.
     */
    private static void serve(JoinRun run, Endpoint bind, StateService service) {
        try {
            run.stateServer = run.config.stateServers.start(bind, service);
        } catch (dev.meshjoin.api.MeshException e) {
            LOG.warn("{}: {}; members cannot follow the network state until it listens; trying again at the next"
                    + " refresh", run.config.nodeName, e.getMessage());
        }
    }

    private static void start(JoinRun run, StateFollower follower) {
        run.follower = follower;
        follower.tick();
        follower.start();
    }

    /** A lighthouse's state service listens on its overlay address, on the port of its signing service. */
    static int statePort(NetworkView network, String lighthouse) {
        return network.lighthouse(lighthouse).map(l -> l.signingEndpoint().port()).orElse(8444);
    }

    /**
     * The lighthouses' state services: every lighthouse of the network record this node knows (its
     * join, or its lighthouse watch) and of the last document, by name, the document's entry winning.
     * A lighthouse missing from a document is kept: the record never drops one, so that document was
     * only older (a lighthouse serves the record it read last), and following it alone could leave
     * a member polling nobody but a lighthouse that is gone.
     */
    static List<Endpoint> services(StateFollower follower, NetworkView network) {
        Map<String, NetworkRecord.LighthouseEntry> byName = new TreeMap<>();
        network.record().lighthouses().forEach(l -> byName.put(l.name(), l));
        if (follower != null) {
            follower.document().ifPresent(d -> d.state().lighthouses().forEach(l -> byName.put(l.name(), l)));
        }
        return byName.values().stream()
                .map(l -> new Endpoint(l.overlayAddress(), Endpoint.parse(l.signingEndpoint()).port())).toList();
    }
}
