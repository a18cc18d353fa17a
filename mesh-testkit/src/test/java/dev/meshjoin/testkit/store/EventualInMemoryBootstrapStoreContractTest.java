package dev.meshjoin.testkit.store;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.time.Duration;

/** A single client of the eventual mode reads its own writes, so it honours the whole contract. */
class EventualInMemoryBootstrapStoreContractTest extends BootstrapStoreContract {
    private final MutableClock clock = MutableClock.startingNow();

    @Override
    protected BootstrapStore newStore() {
        return InMemoryBootstrapStore.eventual(Duration.ofSeconds(60), clock).client("contract");
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
