package dev.meshjoin.micrometer;

import dev.meshjoin.api.RefusalReason;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.MeshNodeListener;
import dev.meshjoin.core.NodeEvents;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Micrometer meters for one {@link MeshNode} and its lighthouse duties. It is the node's state
 * listener and {@link NodeEvents}, and times the node's store when the store is wrapped with
 * {@link #timed(BootstrapStore)}. Counters count from the start whenever the binder is bound; the
 * timers record from the moment it is bound to a registry, so bind it before {@code join()}.
 *
 * <pre>{@code
 * MeshNodeMetrics metrics = new MeshNodeMetrics(Tags.of("node", "worker-7"));
 * MeshNode node = MeshJoin.builder().nodeName("worker-7") // ...
 *         .listener(metrics).events(metrics).storeDecorator(metrics::timed)
 *         .build();
 * metrics.watch(node).bindTo(registry);
 * node.join();
 * }</pre>
 *
 * <table>
 *   <caption>Meters (Prometheus names in brackets)</caption>
 *   <tr><td>{@value #JOIN_DURATION} [meshjoin_join_duration_seconds]</td><td>timer: join() to READY, FAILED or FALLBACK, tag {@code outcome}</td></tr>
 *   <tr><td>{@value #STATE} [meshjoin_node_state]</td><td>gauge per {@code state}: 1 for the current state, else 0</td></tr>
 *   <tr><td>{@value #CERTIFICATE_EXPIRY} [meshjoin_certificate_expires_in_seconds]</td><td>gauge: seconds until this node's certificate expires (NaN without one)</td></tr>
 *   <tr><td>{@value #RENEWALS} [meshjoin_certificate_renewals_total]</td><td>counter: certificates renewed (or re-joined for)</td></tr>
 *   <tr><td>{@value #OVERLAY_RESTARTS} [meshjoin_overlay_restarts_total]</td><td>counter: overlay daemon starts after the first</td></tr>
 *   <tr><td>{@value #ADMISSIONS} [meshjoin_lighthouse_admissions_total]</td><td>counter: joins this lighthouse admitted</td></tr>
 *   <tr><td>{@value #REFUSALS} [meshjoin_lighthouse_refusals_total]</td><td>counter per {@code reason}: join requests refused or rate-limited</td></tr>
 *   <tr><td>{@value #SERVING} [meshjoin_lighthouse_serving]</td><td>gauge: 1 while this node's signing service runs</td></tr>
 *   <tr><td>{@value #LIVE_MEMBERS} [meshjoin_lighthouse_live_members]</td><td>gauge: members live in this lighthouse's presence (NaN when it is none)</td></tr>
 *   <tr><td>{@value TimedBootstrapStore#REQUESTS} [meshjoin_store_requests_seconds]</td><td>timer per {@code operation} and {@code outcome}</td></tr>
 * </table>
 */
public final class MeshNodeMetrics implements MeterBinder, MeshNodeListener, NodeEvents {
    public static final String JOIN_DURATION = "meshjoin.join.duration";
    public static final String STATE = "meshjoin.node.state";
    public static final String CERTIFICATE_EXPIRY = "meshjoin.certificate.expires.in";
    public static final String RENEWALS = "meshjoin.certificate.renewals";
    public static final String OVERLAY_RESTARTS = "meshjoin.overlay.restarts";
    public static final String ADMISSIONS = "meshjoin.lighthouse.admissions";
    public static final String REFUSALS = "meshjoin.lighthouse.refusals";
    public static final String SERVING = "meshjoin.lighthouse.serving";
    public static final String LIVE_MEMBERS = "meshjoin.lighthouse.live.members";

    private static final Set<NodeState> JOIN_STARTS_FROM = EnumSet.of(NodeState.NEW, NodeState.FAILED,
            NodeState.FALLBACK, NodeState.LEFT);
    private static final Set<NodeState> JOIN_ENDS_IN = EnumSet.of(NodeState.READY, NodeState.FAILED, NodeState.FALLBACK);

    /** The timers live here and reach every registry this binder is bound to; gauges and counters are registered on each. */
    private final CompositeMeterRegistry timers = new CompositeMeterRegistry();
    private final java.util.List<MeterRegistry> bound = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Tags tags;
    private final Clock clock;
    private final AtomicLong renewals = new AtomicLong();
    private final AtomicLong admissions = new AtomicLong();
    private final Map<String, AtomicLong> refusals = new ConcurrentHashMap<>();
    private volatile MeshNode node;
    private volatile NodeState state = NodeState.NEW;
    /** System.nanoTime() when the join in progress began, or 0. */
    private volatile long joinStarted;

    /** Meters without common tags, with the system clock. */
    public MeshNodeMetrics() {
        this(Tags.empty(), Clock.systemUTC());
    }

    /** Meters with {@code tags} (the node's name, say) on each. */
    public MeshNodeMetrics(Iterable<Tag> tags) {
        this(tags, Clock.systemUTC());
    }

    /** Meters with {@code tags}, the certificate's remaining life read against {@code clock} (the node's). */
    public MeshNodeMetrics(Iterable<Tag> tags, Clock clock) {
        this.tags = Tags.of(tags);
        this.clock = Objects.requireNonNull(clock, "clock");
        for (RefusalReason r : RefusalReason.values()) {
            refusal(r.code());
        }
        refusal("rate-limited");
    }

    /** The node whose certificate, overlay and lighthouse duties the gauges read; returns this. */
    public MeshNodeMetrics watch(MeshNode n) {
        this.node = Objects.requireNonNull(n, "node");
        this.state = n.status().state();
        return this;
    }

    /** {@code store} with every request timed as {@value TimedBootstrapStore#REQUESTS}. */
    public BootstrapStore timed(BootstrapStore store) {
        return new TimedBootstrapStore(store, timers, tags);
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        timers.add(registry);
        bound.add(registry);
        register(registry);
        refusals.forEach((reason, n) -> refusalCounter(registry, reason, n));
    }

    private void register(MeterRegistry meters) {
        for (NodeState s : NodeState.values()) {
            Gauge.builder(STATE, () -> state == s ? 1 : 0).tags(tags).tag("state", s.name())
                    .description("1 for the node's current state, 0 for the others").register(meters);
        }
        Gauge.builder(CERTIFICATE_EXPIRY, this::secondsToExpiry).tags(tags).baseUnit("seconds")
                .description("seconds until this node's certificate expires").register(meters);
        FunctionCounter.builder(RENEWALS, renewals, AtomicLong::get).tags(tags)
                .description("certificates this node renewed or joined again for").register(meters);
        FunctionCounter.builder(OVERLAY_RESTARTS, this, m -> m.node == null ? 0 : m.node.overlayRestarts()).tags(tags)
                .description("overlay daemon starts after the first").register(meters);
        FunctionCounter.builder(ADMISSIONS, admissions, AtomicLong::get).tags(tags)
                .description("joins this node's signing service admitted").register(meters);
        Gauge.builder(SERVING, () -> node != null && node.signingEndpoint().isPresent() ? 1 : 0).tags(tags)
                .description("1 while this node's signing service runs").register(meters);
        Gauge.builder(LIVE_MEMBERS, () -> node == null ? Double.NaN
                        : node.stateService().map(s -> (double) s.presence().live().size()).orElse(Double.NaN))
                .tags(tags).description("members live in this lighthouse's presence").register(meters);
    }

    private AtomicLong refusal(String reason) {
        AtomicLong known = refusals.get(reason);
        if (known != null) {
            return known;
        }
        synchronized (this) {
            return refusals.computeIfAbsent(reason, r -> {
                AtomicLong n = new AtomicLong();
                bound.forEach(registry -> refusalCounter(registry, r, n));
                return n;
            });
        }
    }

    private void refusalCounter(MeterRegistry registry, String reason, AtomicLong n) {
        FunctionCounter.builder(REFUSALS, n, AtomicLong::get).tags(tags).tag("reason", reason)
                .description("join requests this node's signing service refused, by reason").register(registry);
    }

    private double secondsToExpiry() {
        MeshNode n = node;
        HostCertificate cert = n == null ? null : n.certificate().orElse(null);
        return cert == null ? Double.NaN : Duration.between(clock.instant(), cert.notAfter()).toMillis() / 1000.0;
    }

    @Override
    public void onStateChange(NodeStatus previous, NodeStatus current) {
        state = current.state();
        if (current.state() == NodeState.DISCOVERING && JOIN_STARTS_FROM.contains(previous.state())) {
            joinStarted = System.nanoTime();
        } else if (JOIN_ENDS_IN.contains(current.state()) && joinStarted != 0) {
            long took = System.nanoTime() - joinStarted;
            joinStarted = 0;
            Timer.builder(JOIN_DURATION).tags(tags).tag("outcome", current.state().name())
                    .description("join() until READY, FAILED or FALLBACK").register(timers)
                    .record(Duration.ofNanos(took));
        }
    }

    @Override
    public void certificateRenewed(HostCertificate next) {
        renewals.incrementAndGet();
    }

    @Override
    public void joinDecided(String outcome, String reason) {
        if ("admitted".equals(outcome)) {
            admissions.incrementAndGet();
        } else {
            refusal("rate-limited".equals(outcome) ? "rate-limited" : reason == null ? "refused" : reason)
                    .incrementAndGet();
        }
    }
}
