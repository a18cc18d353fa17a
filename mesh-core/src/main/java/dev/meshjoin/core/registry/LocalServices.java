package dev.meshjoin.core.registry;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.registry.LoadReporter;
import dev.meshjoin.api.registry.PortCheck;
import dev.meshjoin.api.registry.RegistryException;
import dev.meshjoin.api.registry.ServiceInstance;
import dev.meshjoin.core.state.Beat;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node announces, and how it measures its load: read at every poll, when the beat is made,
 * which carries the announced instances whose ports accept connections.
 * Thread-safe; a change tells the listeners (the node then polls at once instead of at its next interval).
 */
public final class LocalServices {
    private static final Logger LOG = LoggerFactory.getLogger(LocalServices.class);

    private final List<ServiceInstance> instances = new ArrayList<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile LoadReporter reporter = LoadReporter.systemLoad();

    /** Adds or replaces (same name and port) an instance. */
    public void announce(ServiceInstance instance) {
        Objects.requireNonNull(instance, "instance");
        synchronized (this) {
            instances.removeIf(i -> i.name().equals(instance.name()) && i.port() == instance.port());
            if (instances.size() >= ServiceView.MAX_PER_NODE) {
                throw new RegistryException("this node already announces " + ServiceView.MAX_PER_NODE
                        + " instances, the most a node may; withdraw one first");
            }
            instances.add(instance);
        }
        changed();
    }

    /** Withdraws every instance of {@code name}. */
    public void withdraw(String name) {
        boolean removed;
        synchronized (this) {
            removed = instances.removeIf(i -> i.name().equals(name));
        }
        if (removed) {
            changed();
        }
    }

    public synchronized List<ServiceInstance> instances() {
        return List.copyOf(instances);
    }

    public void reporter(LoadReporter r) {
        reporter = Objects.requireNonNull(r, "reporter");
    }

    /** The load now: the reporter's figure, 0 when it fails or makes no sense. */
    public double load() {
        try {
            double v = reporter.load();
            return v >= 0 && !Double.isInfinite(v) ? v : 0;
        } catch (RuntimeException e) {
            LOG.debug("the load reporter failed ({}); reporting 0", e.toString());
            return 0;
        }
    }

    /**
     * {@code beat} with the instances that accept connections now, on {@code address} (the node's
     * overlay address) or on loopback: a service whose server stopped drops out at the next poll,
     * and comes back when it listens again. Unchanged when none does.
     */
    public Beat decorate(Beat beat, Ipv4Address address) {
        List<ServiceInstance> now = new ArrayList<>();
        for (ServiceInstance s : instances()) {
            if (listening(address, s.port())) {
                now.add(s);
            } else {
                LOG.debug("{} on port {} accepts no connection; not announcing it in this poll", s.name(), s.port());
            }
        }
        return now.isEmpty() ? beat : beat.withServices(now, load());
    }

    static boolean listening(Ipv4Address address, int port) {
        return PortCheck.accepting(address.toString(), port);
    }

    /** Runs {@code r} after every change. */
    public void onChange(Runnable r) {
        listeners.add(r);
    }

    private void changed() {
        for (Runnable r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("telling of a changed announcement failed: {}", e.toString());
            }
        }
    }
}
