package dev.meshjoin.core.machine;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node owns besides its parts (a store opened for it from a URI): closed once, last first,
 * each failure logged and the rest still closed.
 */
public final class Closer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Closer.class);

    private final String owner;
    private final List<AutoCloseable> resources;
    private boolean closed;

    public Closer(String owner, List<AutoCloseable> resources) {
        this.owner = owner;
        this.resources = new ArrayList<>(resources);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("{}: closing {} failed: {}", owner, resources.get(i), e.toString());
            }
        }
    }
}
