package dev.meshjoin.testkit.store;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.time.Duration;

class InMemoryBootstrapStoreContractTest extends BootstrapStoreContract {
    private final MutableClock clock = MutableClock.startingNow();

    @Override
    protected BootstrapStore newStore() {
        return InMemoryBootstrapStore.linearizable(clock);
    }

    @Override
    protected boolean canAdvanceTime() {
        return true;
    }

    @Override
    protected void advanceTime(Duration duration) {
        clock.advance(duration);
    }
}
