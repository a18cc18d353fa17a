package dev.meshjoin.store.cloudflare;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.testkit.store.BootstrapStoreContract;

/**
 * The store contract against the real Worker under {@code wrangler dev}: every test gets objects
 * of its own, so it starts from an empty store. Expiry runs on the Worker's clock and is tested in
 * {@link CloudflareDoStoreIT}.
 */
class CloudflareDoStoreContractIT extends BootstrapStoreContract {
    @Override
    protected BootstrapStore newStore() {
        return StoreWorker.store(StoreWorker.freshPrefix());
    }
}
