package dev.meshjoin.core.trust;

import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.ForwardingBootstrapStore;
import dev.meshjoin.core.record.StoreKeys;
import java.time.Duration;
import java.util.Optional;

/**
 * A store view that checks every record that grants trust before handing it out, and signs (and
 * MACs) it on the way in: the network record, the revocations, the enrollment tokens and the member
 * records (a renewal grants the groups of its member record). Readers
 * and writers of those records stay as they are; they only have to be given this view. Other keys
 * pass through unchanged.
 *
 * <pre>{@code
 * RecordTrust trust = new RecordTrust(keys, caProvider).pin(List.of(fingerprint));
 * BootstrapStore store = TrustedStore.wrap(rawStore, trust);
 * NetworkRecords.read(store, keys); // throws TamperedStoreException for a record the CA did not sign
 * }</pre>
 */
public final class TrustedStore extends ForwardingBootstrapStore {
    private final RecordTrust trust;

    private TrustedStore(BootstrapStore delegate, RecordTrust trust) {
        super(delegate);
        this.trust = trust;
    }

    /** The view; a store that is already one for the same network is returned as it is. */
    public static TrustedStore wrap(BootstrapStore store, RecordTrust trust) {
        if (store instanceof TrustedStore t && t.trust == trust) {
            return t;
        }
        if (store instanceof TrustedStore t) {
            return new TrustedStore(t.delegate(), trust);
        }
        return new TrustedStore(store, trust);
    }

    /** The trust of a store that is such a view. */
    public static Optional<RecordTrust> trustOf(BootstrapStore store) {
        return store instanceof TrustedStore t ? Optional.of(t.trust) : Optional.empty();
    }

    /** The store underneath, unchecked. */
    public static BootstrapStore unchecked(BootstrapStore store) {
        return store instanceof TrustedStore t ? t.delegate() : store;
    }

    public RecordTrust trust() {
        return trust;
    }

    /** True for the keys whose records grant trust. */
    public boolean grantsTrust(String key) {
        StoreKeys k = trust.keys();
        return key.equals(k.network()) || key.equals(k.revocations()) || key.startsWith(k.root() + "tokens/")
                || key.startsWith(k.members());
    }

    /** The verified network record, read now when none was verified yet. */
    public RecordTrust.TrustedNetwork network() {
        return trust.network().orElseGet(() -> {
            String key = trust.keys().network();
            Entry e = delegate().get(key).orElseThrow(() -> new MeshException("the network record " + key
                    + " is missing from " + delegate().name() + "; found the network first"));
            trust.openNetwork(key, e.value());
            return trust.network().orElseThrow();
        });
    }

    @Override
    public Optional<Entry> get(String key) {
        Optional<Entry> e = delegate().get(key);
        if (e.isEmpty() || !grantsTrust(key)) {
            return e;
        }
        byte[] plain = key.equals(trust.keys().network()) ? trust.openNetwork(key, e.get().value())
                : trust.open(key, e.get().value(), network());
        return Optional.of(new Entry(key, plain, e.get().version(), e.get().expiresAt()));
    }

    @Override
    public Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
        if (!grantsTrust(key)) {
            return delegate().putIfAbsent(key, value, ttl);
        }
        byte[] sealed = seal(key, value);
        return written(key, value, sealed, delegate().putIfAbsent(key, sealed, ttl));
    }

    @Override
    public Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value, Duration ttl) {
        if (!grantsTrust(key)) {
            return delegate().compareAndSet(key, expectedVersion, value, ttl);
        }
        byte[] sealed = seal(key, value);
        return written(key, value, sealed, delegate().compareAndSet(key, expectedVersion, sealed, ttl));
    }

    private byte[] seal(String key, byte[] value) {
        return trust.seal(key, value, key.equals(trust.keys().network()) ? null : network());
    }

    private Optional<Entry> written(String key, byte[] plain, byte[] sealed, Optional<Entry> w) {
        if (w.isPresent() && key.equals(trust.keys().network())) {
            if (trust.anchored()) {
                trust.openNetwork(key, sealed);
            } else {
                trust.written(sealed);
            }
        }
        return w.map(e -> new Entry(key, plain, e.version(), e.expiresAt()));
    }
}
