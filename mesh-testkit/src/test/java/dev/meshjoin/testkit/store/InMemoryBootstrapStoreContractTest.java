package dev.meshjoin.testkit.store;

import dev.meshjoin.api.store.BootstrapStore;

class InMemoryBootstrapStoreContractTest extends BootstrapStoreContract {
    @Override
    protected BootstrapStore newStore() {
        return InMemoryBootstrapStore.linearizable(clock);
    }

    @Override
    protected boolean canAdvanceTime() {
        return true;
    }
}
