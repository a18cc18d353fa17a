package dev.meshjoin.core.lifecycle;

import dev.meshjoin.api.JoinRefusedException;
import dev.meshjoin.api.RefusalReason;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.ca.CertificateVerifier;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.overlay.Lighthouse;
import dev.meshjoin.core.state.Beat;
import dev.meshjoin.core.state.LocalState;
import dev.meshjoin.core.state.MemberState;
import dev.meshjoin.core.state.NetworkState;
import dev.meshjoin.core.state.StateDocument;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a running node in step with its network: it polls the state document (the poll is its
 * heartbeat), applies a changed one to the overlay with a reload (new lighthouses, revoked
 * certificates in the blocklist), and renews the node's certificate two thirds into its lifetime
 * through the same source, reloading the overlay with it. It never touches the store: a member
 * reads and writes the store only to join.
 *
 * <p>A node whose certificate expired while it could not renew (offline past its expiry) joins
 * again with its credential through {@code rejoin}, and gets its own address back.
 */
public final class StateFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateFollower.class);
    private static final SecureRandom JITTER = new SecureRandom();

    /** Where the document and renewals come from: a lighthouse over the overlay, or a lighthouse's own service. */
    public interface Source {
        StateHandler.Answer poll(String etag, Beat beat);

        String renew(byte[] publicKey);

        /** When each lighthouse, by overlay address, last answered; empty when the source does not say. */
        default java.util.Map<String, Instant> lastContact() {
            return java.util.Map.of();
        }
    }

    private final String node;
    private final Clock clock;
    private final RunningOverlay overlay;
    private final LocalState local;
    private final HostKeyPair keys;
    private final Function<byte[], CertificateVerifier> verifiers;
    private volatile CertificateVerifier verifier;
    private volatile byte[] trustedBundle;
    private final Source source;
    private final Duration interval;
    private final Function<HostCertificate, Beat> beats;
    private final Runnable beforePoll;
    private final Consumer<HostCertificate> onCertificate;
    private final java.util.function.Supplier<HostCertificate> rejoin;
    private final Consumer<StateDocument> documentCheck;
    private final ScheduledExecutorService timer;
    private volatile HostCertificate certificate;
    private volatile StateDocument document;
    private volatile String etag;
    private volatile String refusal;
    private long polls;
    private long unchanged;
    private long reloads;
    private long renewals;

    private StateFollower(Builder b) {
        this.node = b.node;
        this.clock = b.clock;
        this.overlay = b.overlay;
        this.local = b.local;
        this.keys = b.keys;
        this.verifiers = b.verifiers;
        this.trustedBundle = b.overlay.config().caBundlePem();
        this.verifier = b.verifiers.apply(trustedBundle);
        this.source = b.source;
        this.interval = b.interval;
        this.beats = b.beats;
        this.beforePoll = b.beforePoll;
        this.onCertificate = b.onCertificate;
        this.rejoin = b.rejoin;
        this.documentCheck = b.documentCheck;
        this.certificate = b.certificate;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meshjoin-follow-" + node);
            t.setDaemon(true);
            return t;
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts polling in the background, every interval less up to a fifth of it (jitter). */
    public void start() {
        schedule();
    }

    private void schedule() {
        long ms = interval.toMillis();
        long delay = ms - (long) (JITTER.nextDouble() * ms / 5);
        try {
            timer.schedule(() -> {
                tickQuietly();
                if (refusal == null) {
                    schedule();
                }
            }, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warn("{}: following the network state failed, will try again: {}", node, e.getMessage());
        }
    }

    /** One round: poll, apply what changed, renew when due. Tests call it directly. */
    public synchronized void tick() {
        if (beforePoll != null) {
            beforePoll.run();
        }
        HostCertificate cert = certificate;
        try {
            StateHandler.Answer a = source.poll(etag, beats.apply(cert));
            polls++;
            if (a.modified()) {
                apply(a.document());
                etag = a.etag();
            } else {
                unchanged++;
            }
        } catch (JoinRefusedException e) {
            if (e.reason() == RefusalReason.REVOKED) {
                refusal = e.getMessage();
                LOG.error("{}: {}", node, e.getMessage());
                return;
            }
            LOG.warn("{}: the lighthouse refused the poll: {}", node, e.getMessage());
        } catch (MeshException e) {
            LOG.info("{}: no lighthouse answered the poll ({}); will try again", node, e.getMessage());
        }
        renewIfDue();
    }

    private void apply(StateDocument doc) {
        if (documentCheck != null) {
            // A document the network's CA did not sign is dropped: the overlay keeps its last state.
            documentCheck.accept(doc);
        }
        document = doc;
        NetworkState state = doc.state();
        List<Lighthouse> lighthouses = state.lighthouses().stream().map(l -> new Lighthouse(l.name(),
                Ipv4Address.parse(l.overlayAddress()), l.endpoints().stream().map(Endpoint::parse).toList())).toList();
        byte[] bundle = trustedBundle(state.caBundle());
        boolean reloaded = overlay.network(RunningOverlay.Source.STATE_DOCUMENT, lighthouses, bundle);
        reloaded |= overlay.blocklist(state.blocklist());
        if (reloaded) {
            reloads++;
            LOG.info("{}: the network state changed ({} lighthouses, {} blocked certificates); overlay reloaded",
                    node, lighthouses.size(), state.blocklist().size());
        }
    }

    /**
     * The document's CA bundle when it still trusts the CA of this node's certificate (a CA rotation
     * adds one, a retirement removes one nobody uses any more); else the bundle this node trusts
     * now, since a bundle without its own CA would cut it off from every peer.
     */
    private byte[] trustedBundle(String pem) {
        byte[] offered = pem.getBytes(StandardCharsets.US_ASCII);
        if (Arrays.equals(offered, trustedBundle)) {
            return offered;
        }
        CertificateVerifier next;
        try {
            next = verifiers.apply(offered);
        } catch (RuntimeException e) {
            LOG.warn("{}: the state document's CA bundle is unusable ({}); keeping the one trusted now", node, e.getMessage());
            return trustedBundle;
        }
        String issuer = certificate.issuer();
        if (next.trusted().stream().noneMatch(ca -> ca.fingerprint().equals(issuer))) {
            LOG.warn("{}: the state document's CA bundle does not trust CA {} of this node's certificate; keeping the"
                    + " one trusted now until this node renews", node, issuer);
            return trustedBundle;
        }
        LOG.info("{}: the network's CA bundle now trusts {}", node,
                next.trusted().stream().map(HostCertificate::fingerprint).toList());
        verifier = next;
        trustedBundle = offered;
        return offered;
    }

    /** Tells a lighthouse that this node leaves for good, so it drops out of presence at once. Never throws. */
    public synchronized void goodbye() {
        try {
            source.poll(etag, beats.apply(certificate).goodbye());
        } catch (RuntimeException e) {
            LOG.info("{}: could not say goodbye to a lighthouse ({}); it drops this node when its polls stop",
                    node, e.getMessage());
        }
    }

    /** When this node should renew: two thirds into its certificate's lifetime (or the lighthouse's word, if earlier). */
    public Instant renewAt() {
        HostCertificate cert = certificate;
        Instant own = MemberState.renewAt(cert.notBefore(), cert.notAfter());
        StateDocument d = document;
        if (d != null && d.member().certificateFingerprint().equals(cert.fingerprint())
                && d.member().renewAt().isBefore(own)) {
            return d.member().renewAt();
        }
        return own;
    }

    private void renewIfDue() {
        HostCertificate cert = certificate;
        Instant now = clock.instant();
        if (now.isBefore(renewAt())) {
            return;
        }
        try {
            install(verifyOwn(source.renew(keys.publicKey()).getBytes(StandardCharsets.US_ASCII), cert), "renewed");
        } catch (JoinRefusedException e) {
            refusal = e.reason() == RefusalReason.REVOKED ? e.getMessage() : null;
            LOG.error("{}: renewal refused: {}", node, e.getMessage());
        } catch (MeshException e) {
            if (rejoin != null && !now.isBefore(cert.notAfter().minus(interval.multipliedBy(2)))) {
                LOG.warn("{}: cannot renew over the overlay ({}) and the certificate expires at {}; joining again",
                        node, e.getMessage(), cert.notAfter());
                install(rejoin.get(), "re-joined");
            } else {
                LOG.warn("{}: renewal failed, will try again at the next poll: {}", node, e.getMessage());
            }
        }
    }

    private HostCertificate verifyOwn(byte[] pem, HostCertificate current) {
        HostCertificate next = verifier.verify(pem, clock.instant());
        if (!Arrays.equals(next.publicKey(), keys.publicKey()) || !next.name().equals(current.name())
                || !next.addresses().equals(current.addresses())) {
            throw new InvalidCertificateException(InvalidCertificateException.Reason.CONSTRAINT_VIOLATION,
                    "the renewed certificate " + next + " is not for this node's key, name and address; refusing it");
        }
        return next;
    }

    private void install(HostCertificate next, String how) {
        local.saveCertificate(next.pem());
        overlay.certificate(next.pem());
        certificate = next;
        renewals++;
        LOG.info("{}: {} its certificate: {} until {}; overlay reloaded", node, how, next.fingerprint(), next.notAfter());
        if (onCertificate != null) {
            onCertificate.accept(next);
        }
    }

    public HostCertificate certificate() {
        return certificate;
    }

    /** When each lighthouse, by overlay address, last answered this node's polls (a lighthouse answers itself: empty). */
    public java.util.Map<String, Instant> lastContact() {
        return source.lastContact();
    }

    /** The last document received, if any. */
    public java.util.Optional<StateDocument> document() {
        return java.util.Optional.ofNullable(document);
    }

    /** Why the lighthouses refuse this node for good (it was revoked), if they do. */
    public java.util.Optional<String> refusal() {
        return java.util.Optional.ofNullable(refusal);
    }

    /** Polls, polls answered "not modified", overlay reloads for a changed state, and renewals so far. */
    public synchronized long[] counts() {
        return new long[] {polls, unchanged, reloads, renewals};
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** Configures a {@link StateFollower}; all but {@code beforePoll}, {@code onCertificate} and {@code rejoin} are required. */
    public static final class Builder {
        private String node;
        private Clock clock = Clock.systemUTC();
        private RunningOverlay overlay;
        private LocalState local;
        private HostKeyPair keys;
        private Function<byte[], CertificateVerifier> verifiers;
        private Source source;
        private Duration interval = Duration.ofSeconds(15);
        private Function<HostCertificate, Beat> beats;
        private Runnable beforePoll;
        private Consumer<HostCertificate> onCertificate;
        private java.util.function.Supplier<HostCertificate> rejoin;
        private Consumer<StateDocument> documentCheck;
        private HostCertificate certificate;

        private Builder() {
        }

        public Builder node(String v) { node = v; return this; }
        public Builder clock(Clock v) { clock = v; return this; }
        /** The running overlay, shared with whatever else reloads it. */
        public Builder overlay(RunningOverlay v) { overlay = v; return this; }
        public Builder local(LocalState v) { local = v; return this; }
        public Builder keys(HostKeyPair v) { keys = v; return this; }
        /**
         * Makes the verifier of a CA bundle: renewed certificates must verify against the bundle this
         * node trusts, which starts as the overlay's and follows the state document's.
         */
        public Builder verifiers(Function<byte[], CertificateVerifier> v) { verifiers = v; return this; }
        public Builder source(Source v) { source = v; return this; }
        /** Default 15 seconds. */
        public Builder interval(Duration v) { interval = v; return this; }
        /** Makes the beat sent with each poll from the certificate the node runs with. */
        public Builder beats(Function<HostCertificate, Beat> v) { beats = v; return this; }
        /** Runs before every poll (a lighthouse refreshes from the store and sweeps its presence). */
        public Builder beforePoll(Runnable v) { beforePoll = v; return this; }
        /** Told of every new certificate, after the overlay reloaded it. */
        public Builder onCertificate(Consumer<HostCertificate> v) { onCertificate = v; return this; }
        /** Joins again when renewal is impossible and the certificate is about to expire. */
        public Builder rejoin(java.util.function.Supplier<HostCertificate> v) { rejoin = v; return this; }
        public Builder certificate(HostCertificate v) { certificate = v; return this; }
        /** Checks every new document before it is applied (its CA signature); a throw drops the document. */
        public Builder documentCheck(Consumer<StateDocument> v) { documentCheck = v; return this; }

        public StateFollower build() {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(overlay, "overlay");
            Objects.requireNonNull(local, "local");
            Objects.requireNonNull(keys, "keys");
            Objects.requireNonNull(verifiers, "verifiers");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(beats, "beats");
            Objects.requireNonNull(certificate, "certificate");
            return new StateFollower(this);
        }
    }
}
