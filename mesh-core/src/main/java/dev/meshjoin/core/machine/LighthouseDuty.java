package dev.meshjoin.core.machine;

import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.core.lifecycle.StateService;
import dev.meshjoin.core.lighthouse.Lighthouse;
import dev.meshjoin.core.lighthouse.LighthouseWatch;
import dev.meshjoin.core.record.NetworkView;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a ready node that may serve does for its network's lighthouses: it runs a
 * {@link LighthouseWatch}, applies the record's changes to its own overlay (a new lighthouse, a new
 * CA bundle), and, when it is a lighthouse and the network's signing CA changed (a CA rotation),
 * opens the new CA and serves joins with it. When the network is short of lighthouses it has the
 * node promote itself.
 */
public final class LighthouseDuty implements LighthouseWatch.Host, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LighthouseDuty.class);

    private final NodeConfig config;
    private final Supplier<JoinRun> run;
    private final Predicate<NetworkView> promoter;
    private final LighthouseWatch watch;

    private LighthouseDuty(NodeConfig config, Supplier<JoinRun> run, Predicate<NetworkView> promoter, NetworkView joined) {
        this.config = config;
        this.run = run;
        this.promoter = promoter;
        this.watch = new LighthouseWatch(config.store, config.keys, config.nodeName, config.clock, config.lighthouseWatch,
                config.lighthouseProbe, this, joined);
    }

    /**
     * Starts the duty of a node that may serve (it has a public endpoint); empty for one that only joins.
     *
     * @param run the node's current run (a promotion replaces it)
     * @param promoter makes the node a lighthouse of the given network; true when it then is one
     */
    public static Optional<LighthouseDuty> startIfServing(NodeConfig config, Supplier<JoinRun> run,
                                                          Predicate<NetworkView> promoter) {
        Optional<NetworkView> joined = run.get().network();
        if (config.publicEndpoint == null || joined.isEmpty()) {
            return Optional.empty();
        }
        LighthouseDuty duty = new LighthouseDuty(config, run, promoter, joined.get());
        duty.watch.start();
        return Optional.of(duty);
    }

    /** The watch, for a caller that drives its rounds itself. */
    public LighthouseWatch watch() {
        return watch;
    }

    @Override
    public void networkChanged(NetworkView before, NetworkView now) {
        JoinRun r = run.get();
        r.network = now;
        StateService service = r.stateService;
        if (service != null) {
            // Members learn of the change (a lighthouse, a CA bundle) at their next poll, not at the
            // service's next record read; before a new CA signs, so a renewed member already trusts it.
            service.adopt(now);
        }
        // This node's own overlay trusts a new CA before it signs with it, as its members do.
        OverlayRefresh.apply(r, now);
        Lighthouse serving = r.lighthouse;
        if (serving != null && !serving.ca().caCertificate().fingerprint().equals(now.caFingerprint())) {
            signWithNewCa(r, serving, now);
        }
        if (config.trust.networkLacksMac()) {
            try {
                if (dev.meshjoin.core.record.NetworkRecords.reseal(config.store, config.keys)) {
                    LOG.info("{}: wrote the network record again with the network secret's MAC, which its last"
                            + " writer did not hold", config.nodeName);
                }
            } catch (RuntimeException e) {
                LOG.warn("{}: could not add the network secret's MAC to the network record: {}", config.nodeName,
                        e.getMessage());
            }
        }
    }

    /**
     * Serves joins and renewals with the network's new signing CA; this lighthouse's certificate
     * stays (both CAs are trusted) until it renews, which moves it to the new CA too.
     */
    private void signWithNewCa(JoinRun r, Lighthouse serving, NetworkView now) {
        CertificateAuthority ca = r.vault().open(now);
        Lighthouse next = r.newLighthouse(ca, now.cidr(), true);
        synchronized (r) {
            serving.close();
            // Only a lighthouse that serves takes the old one's place: if the port cannot be had
            // now, the run keeps the old (closed) one, so the next round of the watch tries again.
            next.serve(config.signingEndpoint(), r.certificate);
            r.lighthouse = next;
            StateService service = r.stateService;
            if (service != null) {
                service.signWith(next);
            }
        }
        LOG.info("{}: the network's signing CA is now {}; signing joins and renewals with it", config.nodeName,
                now.caFingerprint());
    }

    @Override
    public boolean promote(NetworkView network) {
        return promoter.test(network);
    }

    @Override
    public void close() {
        watch.close();
    }
}
