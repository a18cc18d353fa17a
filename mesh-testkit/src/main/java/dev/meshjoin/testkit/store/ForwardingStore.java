package dev.meshjoin.testkit.store;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.ForwardingBootstrapStore;


/**
 * A store that passes everything to another; tests override the operations they disturb (a write
 * that lands and then fails, a larger minimum time-to-live, a count of calls).
 */
public class ForwardingStore extends ForwardingBootstrapStore {
    /** The wrapped store, for subclasses' overrides. */
    protected final BootstrapStore delegate;

    public ForwardingStore(BootstrapStore delegate) {
        super(delegate);
        this.delegate = delegate;
    }
}
