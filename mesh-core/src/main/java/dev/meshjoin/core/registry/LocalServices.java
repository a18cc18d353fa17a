package dev.meshjoin.core.registry;

import dev.meshjoin.api.registry.LoadReporter;
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
 * What this node announces, and how it measures its load: read at every poll, when the beat is made.
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

    /** {@code beat} with what this node offers now (unchanged when it offers nothing). */
    public Beat decorate(Beat beat) {
        List<ServiceInstance> now = instances();
        return now.isEmpty() ? beat : beat.withServices(now, load());
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
