package dev.meshjoin.core.signing;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.StoreKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes audit events to the store, one key per event with a time-to-live, and logs every event
 * through SLF4J. Store writes draw from a budget (a token bucket), so a flood of refused requests
 * cannot turn into a flood of store writes (Cloudflare KV's free tier allows 1,000 writes a day);
 * events beyond the budget are logged only and counted in the next stored event's
 * {@code suppressed}.
 */
public final class AuditLog {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private final BootstrapStore store;
    private final StoreKeys keys;
    private final Duration retention;
    private final RateLimiter budget;
    private final AtomicLong suppressed = new AtomicLong();

    /**
     * @param retention how long an event stays in the store (its time-to-live)
     * @param burst how many events may be written at once
     * @param perMinute how many events may be written per minute on average
     */
    public AuditLog(BootstrapStore store, StoreKeys keys, Duration retention, int burst, int perMinute, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.retention = retention;
        this.budget = new RateLimiter(burst, perMinute / 60.0, clock);
    }

    /** The store prefix of one UTC day's events. */
    public static String dayPrefix(StoreKeys keys, java.time.Instant day) {
        return keys.root() + "audit/" + DAY.format(day) + "/";
    }

    void record(AuditEvent event) {
        if ("admitted".equals(event.outcome())) {
            LOG.info("join {} {} from {} with {}: {} {} (certificate {})", event.outcome(), event.node(), event.source(),
                    event.credential(), event.address(), event.reason(), event.certificateFingerprint());
        } else {
            LOG.warn("join {} ({}) for {} from {} with {}: {}", event.outcome(), event.reason(), event.node(),
                    event.source(), event.credential(), event.detail());
        }
        if (!budget.tryAcquire("audit", 1)) {
            suppressed.incrementAndGet();
            return;
        }
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
