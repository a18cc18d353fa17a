package dev.meshjoin.core.router;

import dev.meshjoin.api.registry.LiveInstance;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Power of two choices: of two instances picked at random, the one with the lower score, where the
 * score is the instance's reported load plus this router's requests in flight to it, divided by its
 * weight. An instance that just failed to connect sits out for {@code ejectFor}, unless every one did.
 * Thread-safe.
 */
public final class InstanceChooser {
    private final Clock clock;
    private final Duration ejectFor;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Instant> ejected = new ConcurrentHashMap<>();

    public InstanceChooser(Clock clock, Duration ejectFor) {
        this.clock = clock;
        this.ejectFor = ejectFor;
    }

    /** One request in flight to an instance; close it when the response is done. */
    public interface InFlight extends AutoCloseable {
        @Override
        void close();
    }

    /** Chooses among {@code instances} those not in {@code tried}; null when none is left. */
    public LiveInstance choose(List<LiveInstance> instances, Collection<String> tried) {
        List<LiveInstance> open = new ArrayList<>();
        List<LiveInstance> all = new ArrayList<>();
        Instant now = clock.instant();
        for (LiveInstance i : instances) {
            if (tried.contains(i.target())) {
                continue;
            }
            all.add(i);
            Instant until = ejected.get(i.target());
            if (until == null || until.isBefore(now)) {
                open.add(i);
            }
        }
        List<LiveInstance> from = open.isEmpty() ? all : open;
        if (from.isEmpty()) {
            return null;
        }
        if (from.size() == 1) {
            return from.get(0);
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int a = r.nextInt(from.size());
        int b = r.nextInt(from.size() - 1);
        if (b >= a) {
            b++;
        }
        double sa = score(from.get(a));
        double sb = score(from.get(b));
        return sa < sb || (sa == sb && r.nextBoolean()) ? from.get(a) : from.get(b);
    }

    /** The score of an instance: lower is better. */
    public double score(LiveInstance i) {
        return (i.load() + inFlight(i.target())) / i.instance().weight();
    }

    /** Counts a request to {@code target} as in flight until the returned handle is closed. */
    public InFlight start(String target) {
        AtomicInteger n = inFlight.computeIfAbsent(target, t -> new AtomicInteger());
        n.incrementAndGet();
        boolean[] done = {false};
        return () -> {
            synchronized (done) {
                if (!done[0]) {
                    done[0] = true;
                    n.decrementAndGet();
                }
            }
        };
    }

    /** Requests in flight to {@code target} now. */
    public int inFlight(String target) {
        AtomicInteger n = inFlight.get(target);
        return n == null ? 0 : n.get();
    }

    /** {@code target} could not be reached: it sits out for a while. */
    public void failed(String target) {
        ejected.put(target, clock.instant().plus(ejectFor));
    }

    /** {@code target} answered: it is back. */
    public void succeeded(String target) {
        ejected.remove(target);
    }
}
