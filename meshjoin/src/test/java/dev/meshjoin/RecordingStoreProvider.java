package dev.meshjoin;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.BootstrapStoreProvider;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code recording:NAME} opens an in-memory store and records its opening and its closing, so
 * tests see whether a node closed the store it opened, found as any adapter is: by ServiceLoader.
 */
public final class RecordingStoreProvider implements BootstrapStoreProvider {
    static final List<URI> OPENED = new CopyOnWriteArrayList<>();
    static final AtomicInteger CLOSED = new AtomicInteger();

    static void reset() {
        OPENED.clear();
        CLOSED.set(0);
    }

    @Override
    public String scheme() {
        return "recording";
    }

    @Override
    public BootstrapStore open(URI uri) {
        OPENED.add(uri);
        return new dev.meshjoin.testkit.store.ForwardingStore(InMemoryBootstrapStore.linearizable()) {
            @Override
            public void close() {
                CLOSED.incrementAndGet();
                super.close();
            }
        };
    }
}
