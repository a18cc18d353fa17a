package dev.meshjoin.core.registry;

import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.registry.LiveInstance;
import dev.meshjoin.api.registry.LoadReporter;
import dev.meshjoin.api.registry.RegistryException;
import dev.meshjoin.api.registry.ServiceInstance;
import dev.meshjoin.api.registry.ServiceRegistry;
import dev.meshjoin.core.lifecycle.StateChannel;
import dev.meshjoin.core.lifecycle.StateHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default registry: announcements ride on this node's polls of its lighthouses, and a lookup
 * asks every lighthouse over the overlay (in parallel) and merges their answers, since each member
 * polls a lighthouse of its choice. An instance counts as live while the freshest answer saw its
 * node within {@code expireAfter}. A lighthouse answers its own part in-process.
 */
public final class LighthouseRegistry implements ServiceRegistry, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LighthouseRegistry.class);

    /** Watches look up at least this often: lookups are answered from the lighthouses' memory, so they are cheap. */
    private static final Duration WATCH_AT_MOST = Duration.ofSeconds(2);

    private final LocalServices local;
    private final StateChannel channel;
    private final Clock clock;
    private final Duration expireAfter;
    private final Duration watchEvery;
    private final Supplier<Optional<? extends StateHandler>> ownService;
    private final Supplier<List<Endpoint>> lighthouses;
    private final Supplier<Optional<Ipv4Address>> self;
    private final ScheduledExecutorService timer;
    /** Lookups of the lighthouses, apart from the timer so that a watch waiting for them never starves them. */
    private final java.util.concurrent.ExecutorService asks;

    /**
     * @param pollInterval the members' poll interval: instances silent for two and a half of it are dropped,
     *     and watches look up a third of it apart (at most 2 s)
     * @param ownService this node's own state service, when it is a lighthouse
     * @param lighthouses every lighthouse's state service, read at each lookup
     * @param self this node's overlay address, once it has one
     */
    public LighthouseRegistry(LocalServices local, StateChannel channel, Clock clock, Duration pollInterval,
                              Supplier<Optional<? extends StateHandler>> ownService, Supplier<List<Endpoint>> lighthouses,
                              Supplier<Optional<Ipv4Address>> self) {
        this.local = Objects.requireNonNull(local, "local");
        this.channel = channel;
        this.clock = clock;
        this.expireAfter = expiry(pollInterval);
        Duration third = pollInterval.dividedBy(3);
        this.watchEvery = third.compareTo(WATCH_AT_MOST) > 0 ? WATCH_AT_MOST : third.isZero() ? Duration.ofMillis(100) : third;
        this.ownService = ownService;
        this.lighthouses = lighthouses;
        this.self = self;
        this.timer = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "meshjoin-registry");
            t.setDaemon(true);
            return t;
        });
        this.asks = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "meshjoin-lookup");
            t.setDaemon(true);
            return t;
        });
    }

    /** How long a silent node's instances stay listed: two and a half poll intervals. */
    public static Duration expiry(Duration pollInterval) {
        return pollInterval.multipliedBy(5).dividedBy(2);
    }

    @Override
    public void announce(ServiceInstance instance) {
        local.announce(instance);
    }

    @Override
    public void withdraw(String name) {
        local.withdraw(name);
    }

    @Override
    public List<ServiceInstance> announced() {
        return local.instances();
    }

    @Override
    public void reportLoad(LoadReporter reporter) {
        local.reporter(reporter);
    }

    /** Runs {@code poll} soon on a background thread (after an announcement changed). */
    public void soon(Runnable poll) {
        try {
            timer.execute(() -> {
                try {
                    poll.run();
                } catch (RuntimeException e) {
                    LOG.info("polling after a changed announcement failed ({}); the next poll carries it", e.getMessage());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // closed: nothing to tell
        }
    }

    @Override
    public List<LiveInstance> lookup(String name) {
        ServiceInstance.checkName(name);
        return merged(name);
    }

    /** Every live instance of every service. */
    public List<LiveInstance> all() {
        return merged(null);
    }

    private List<LiveInstance> merged(String name) {
        Ipv4Address me = self.get().orElseThrow(() -> new RegistryException("this node is not on the mesh yet;"
                + " look services up once it is READY"));
        List<List<RegistryWire.Found>> answers = new ArrayList<>();
        Optional<? extends StateHandler> own = ownService.get();
        own.ifPresent(s -> answers.add(s.services(me, name)));
        List<Endpoint> others = new ArrayList<>(lighthouses.get());
        others.removeIf(e -> e.host().equals(me.toString()));
        List<CompletableFuture<List<RegistryWire.Found>>> pending = others.stream()
                .map(e -> CompletableFuture.supplyAsync(() -> channel.services(e, me, name), asks)).toList();
        MeshException last = null;
        for (CompletableFuture<List<RegistryWire.Found>> f : pending) {
            try {
                answers.add(f.join());
            } catch (java.util.concurrent.CompletionException e) {
                last = e.getCause() instanceof MeshException m ? m : new MeshException(String.valueOf(e.getCause()), e);
            }
        }
        if (answers.isEmpty()) {
            throw new RegistryException("no lighthouse answered the lookup of " + (name == null ? "the services" : name)
                    + " (" + others.size() + " asked" + (last == null ? "" : "; last: " + last.getMessage())
                    + "); check that this node is READY and a lighthouse is up", last);
        }
        return merge(answers, clock.instant(), expireAfter);
    }

    /** The freshest sighting of each instance across the answers, without the ones silent for longer than {@code expireAfter}. */
    static List<LiveInstance> merge(List<List<RegistryWire.Found>> answers, Instant now, Duration expireAfter) {
        Map<String, RegistryWire.Found> best = new HashMap<>();
        for (List<RegistryWire.Found> a : answers) {
            for (RegistryWire.Found f : a) {
                if (f.ageMillis() > expireAfter.toMillis()) {
                    continue;
                }
                String key = f.node() + "|" + f.instance().name() + "|" + f.instance().port();
                best.merge(key, f, (x, y) -> y.ageMillis() < x.ageMillis() ? y : x);
            }
        }
        return best.values().stream().map(f -> f.live(now)).toList();
    }

    @Override
    public Watch watch(String name, Consumer<List<LiveInstance>> listener) {
        ServiceInstance.checkName(name);
        Objects.requireNonNull(listener, "listener");
        Object lock = new Object();
        boolean[] closed = {false};
        Set<String>[] last = new Set[] {null};
        Runnable check = () -> {
            List<LiveInstance> now;
            try {
                now = lookup(name);
            } catch (RuntimeException e) {
                LOG.debug("watch of {}: lookup failed ({}); trying again", name, e.getMessage());
                return;
            }
            Set<String> ids = identities(now);
            synchronized (lock) {
                if (closed[0] || ids.equals(last[0])) {
                    return;
                }
                last[0] = ids;
                try {
                    listener.accept(now);
                } catch (RuntimeException e) {
                    LOG.warn("watch of {}: the listener failed: {}", name, e.toString());
                }
            }
        };
        ScheduledFuture<?> task = timer.scheduleWithFixedDelay(check, 0, watchEvery.toMillis(), TimeUnit.MILLISECONDS);
        return () -> {
            task.cancel(false);
            synchronized (lock) {
                closed[0] = true;
            }
        };
    }

    /** What makes two lookups' answers the same set: the instances, not their loads or ages. */
    static Set<String> identities(List<LiveInstance> instances) {
        Set<String> ids = new HashSet<>();
        instances.forEach(i -> ids.add(i.node() + "|" + i.overlayAddress() + "|" + i.instance()));
        return ids;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        asks.shutdownNow();
    }
}
