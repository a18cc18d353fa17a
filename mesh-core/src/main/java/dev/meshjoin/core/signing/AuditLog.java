package dev.meshjoin.core.signing;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes audit events to the store, one key per event with a time-to-live, within a daily write
 * budget fitted to what the store can afford ({@link BootstrapStore#writesPerDay()}: Cloudflare
 * KV's free tier allows 1,000 writes a day for everything).
 *
 * <ul>
 *   <li>{@link #record}: decisions about an authenticated joiner (admitted, or refused after its
 *       credential checked out), one stored event each while the budget lasts; beyond it they are
 *       logged and counted in the next stored event's {@code suppressed}.</li>
 *   <li>{@link #failure}: refusals of unauthenticated requests — anyone can cause these, so each
 *       is only counted (and logged at debug), and one {@code refused-summary} event per interval
 *       says how many of each reason came from how many source prefixes.</li>
 *   <li>{@link #alarm}: something an operator must see (a credential joining nodes faster than
 *       its join rate); logged at error and stored, at most once per interval per reason.</li>
 * </ul>
 */
public final class AuditLog {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    /** Source prefixes remembered per summary; more are counted, not listed. */
    private static final int MAX_PREFIXES = 4096;

    /**
     * How many audit writes the store may take: {@code burst} at once, {@code perDay} on average,
     * unauthenticated failures summarised every {@code summaryInterval} ({@link Duration#ZERO}:
     * each written like an authenticated event, for tests and stores that do not count writes).
     */
    public record Budget(int burst, double perDay, Duration summaryInterval) {
        /** The share of a store's declared daily writes that auditing may use. */
        public static final double STORE_SHARE = 0.1;

        /**
         * A tenth of the store's declared daily writes (at most one a second), in bursts of up to
         * an hour's worth; summaries take at most a quarter of it (one a minute at most often).
         */
        public static Budget forStore(BootstrapStore store) {
            long declared = store.writesPerDay();
            double perDay = declared == Long.MAX_VALUE ? 86_400 : Math.max(10, declared * STORE_SHARE);
            return of(perDay);
        }

        /** A budget of {@code perDay} writes with the summary interval and burst derived from it. */
        public static Budget of(double perDay) {
            int burst = (int) Math.max(5, Math.min(100, perDay / 24));
            long seconds = (long) Math.ceil(86_400 / Math.max(1, perDay / 4));
            Duration interval = Duration.ofSeconds(Math.max(60, Math.min(3600, seconds)));
            return new Budget(burst, perDay, interval);
        }
    }

    private final BootstrapStore store;
    private final StoreKeys keys;
    private final Duration retention;
    private final Clock clock;
    private final Budget budget;
    private final RateLimiter writes;
    private final AtomicLong suppressed = new AtomicLong();
    private final Map<String, Instant> lastAlarm = new ConcurrentHashMap<>();
    private final Object summaryLock = new Object();
    private Map<String, Long> failures = new TreeMap<>();
    private volatile dev.meshjoin.core.NodeEvents events = dev.meshjoin.core.NodeEvents.NONE;
    private Set<String> failurePrefixes = ConcurrentHashMap.newKeySet();
    private long failureTotal;
    private Instant summaryStarted;
    private String lighthouse;

    /**
     * @param retention how long an event stays in the store (its time-to-live)
     * @param burst how many events may be written at once
     * @param perMinute how many events may be written per minute on average
     */
    public AuditLog(BootstrapStore store, StoreKeys keys, Duration retention, int burst, int perMinute, Clock clock) {
        this(store, keys, retention, new Budget(burst, perMinute * 1440.0, Budget.of(perMinute * 1440.0)
                .summaryInterval()), clock);
    }

    /** An audit log writing within {@code budget}. */
    public AuditLog(BootstrapStore store, StoreKeys keys, Duration retention, Budget budget, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.retention = retention;
        this.clock = clock;
        this.budget = budget;
        this.writes = new RateLimiter(budget.burst(), budget.perDay() / 86_400, clock);
        this.summaryStarted = clock.instant();
    }

    /** The store prefix of one UTC day's events. */
    public static String dayPrefix(StoreKeys keys, java.time.Instant day) {
        return keys.root() + "audit/" + DAY.format(day) + "/";
    }

    /** The budget in force. */
    public Budget budget() {
        return budget;
    }

    /** Also tells {@code events} of every decision passed to this log, stored or not; returns this log. */
    public AuditLog observedBy(dev.meshjoin.core.NodeEvents events) {
        this.events = java.util.Objects.requireNonNull(events);
        return this;
    }

    /** Every decision, as {@link dev.meshjoin.core.NodeEvents#joinDecided}; an alarm is a join-rate refusal. */
    private void tell(AuditEvent event) {
        boolean alarm = "alarm".equals(event.outcome());
        try {
            events.joinDecided(alarm ? "refused" : event.outcome(), alarm ? "join-rate-limited" : event.reason());
        } catch (RuntimeException e) {
            LOG.warn("a node events listener failed: {}", e.toString());
        }
    }

    void record(AuditEvent event) {
        tell(event);
        recordQuietly(event);
    }

    private void recordQuietly(AuditEvent event) {
        if ("admitted".equals(event.outcome())) {
            LOG.info("join {} {} from {} with {}: {} {} (certificate {})", event.outcome(), event.node(), event.source(),
                    event.credential(), event.address(), event.reason(), event.certificateFingerprint());
        } else {
            LOG.warn("join {} ({}) for {} from {} with {}: {}", event.outcome(), event.reason(), event.node(),
                    event.source(), event.credential(), event.detail());
        }
        write(event);
    }

    /** Counts an unauthenticated refusal; never writes to the store itself (it may run on the I/O thread). */
    void failure(AuditEvent event, String sourcePrefix) {
        tell(event);
        if (budget.summaryInterval().isZero()) {
            recordQuietly(event);
            return;
        }
        LOG.debug("join {} ({}) from {}: {}", event.outcome(), event.reason(), event.source(), event.detail());
        synchronized (summaryLock) {
            lighthouse = event.lighthouse();
            failures.merge(event.reason(), 1L, Long::sum);
            failureTotal++;
            if (failurePrefixes.size() < MAX_PREFIXES) {
                failurePrefixes.add(sourcePrefix);
            }
        }
    }

    /** An event the operator must see: logged at error, stored at most once per interval per reason. */
    void alarm(AuditEvent event) {
        tell(event);
        LOG.error("ALARM {} for {} from {}: {}", event.reason(), event.credential(), event.source(), event.detail());
        Instant now = clock.instant();
        Duration every = budget.summaryInterval().isZero() ? Duration.ZERO : budget.summaryInterval();
        Instant last = lastAlarm.get(event.reason());
        if (last != null && now.isBefore(last.plus(every))) {
            return;
        }
        lastAlarm.put(event.reason(), now);
        // An alarm is written even beyond the budget: it is rare by construction (once per interval).
        writeNow(event);
    }

    /** Writes the failure summary if its interval has passed (or {@code force}) and anything was counted. */
    void flush(boolean force) {
        AuditEvent summary;
        synchronized (summaryLock) {
            Instant now = clock.instant();
            if (failureTotal == 0 || (!force && now.isBefore(summaryStarted.plus(budget.summaryInterval())))) {
                if (failureTotal == 0) {
                    summaryStarted = now;
                }
                return;
            }
            StringBuilder detail = new StringBuilder();
            failures.forEach((reason, n) -> detail.append(detail.length() == 0 ? "" : ", ").append(reason).append(' ')
                    .append(n));
            int prefixes = failurePrefixes.size();
            detail.append(" since ").append(summaryStarted).append(" from ")
                    .append(prefixes >= MAX_PREFIXES ? "at least " : "").append(prefixes).append(" source prefixes");
            summary = new AuditEvent(Versioned.SCHEMA, now, lighthouse, "refused-summary", "unauthenticated", null, null,
                    prefixes == 1 ? failurePrefixes.iterator().next() : null, null, null, detail.toString(), 0);
            failures = new TreeMap<>();
            failurePrefixes = ConcurrentHashMap.newKeySet();
            failureTotal = 0;
            summaryStarted = now;
        }
        LOG.warn("join refusals of unauthenticated requests: {}", summary.detail());
        write(summary);
    }

    private void write(AuditEvent event) {
        if (!writes.tryAcquire("audit", 1)) {
            suppressed.incrementAndGet();
            return;
        }
        writeNow(event);
    }

    private void writeNow(AuditEvent event) {
        long before = suppressed.getAndSet(0);
        AuditEvent stored = before == 0 ? event : event.withSuppressed(before);
        String key = dayPrefix(keys, event.at()) + event.at().toEpochMilli() + "-"
                + HexFormat.of().formatHex(SigningCrypto.random(4));
        try {
            store.putIfAbsent(key, Json.write(stored), retention);
        } catch (RuntimeException e) {
            suppressed.addAndGet(before + 1);
            LOG.warn("could not write audit event {} to {}: {}", key, store.name(), e.getMessage());
        }
    }
}
