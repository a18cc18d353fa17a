package dev.meshjoin.core.router;

import dev.meshjoin.api.registry.LiveInstance;
import dev.meshjoin.api.registry.LoadReporter;
import dev.meshjoin.api.registry.ServiceInstance;
import dev.meshjoin.api.registry.ServiceRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** A registry whose instances the test sets: the router's tests are about routing, the registry has its own. */
final class FixedRegistry implements ServiceRegistry {
    private final Map<String, List<LiveInstance>> instances = new ConcurrentHashMap<>();

    void put(String name, String node, int port, double load) {
        instances.computeIfAbsent(name, n -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(new LiveInstance(ServiceInstance.of(name, port), node, "127.0.0.1", load, Instant.now()));
    }

    @Override
    public void announce(ServiceInstance instance) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void withdraw(String name) {
        instances.remove(name);
    }

    @Override
    public List<ServiceInstance> announced() {
        return List.of();
    }

    @Override
    public void reportLoad(LoadReporter reporter) {
    }

    @Override
    public List<LiveInstance> lookup(String name) {
        return new ArrayList<>(instances.getOrDefault(name, List.of()));
    }

    @Override
    public Watch watch(String name, Consumer<List<LiveInstance>> listener) {
        throw new UnsupportedOperationException();
    }
}
