package dev.meshjoin.testkit.store;

import dev.meshjoin.api.store.BootstrapStore;
import java.time.Duration;

/** A single client of the eventual mode reads its own writes, so it honours the whole contract. */
class EventualInMemoryBootstrapStoreContractTest extends BootstrapStoreContract {
    @Override
    protected BootstrapStore newStore() {
        return InMemoryBootstrapStore.eventual(Duration.ofSeconds(60), clock).client("contract");
    }

    @Override
    protected boolean canAdvanceTime() {
        return true;
    }
}
