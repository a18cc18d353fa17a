package dev.meshjoin.testkit.store;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.store.file.FileBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

class FileBootstrapStoreContractTest extends BootstrapStoreContract {
    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.startingNow();

    @Override
    protected BootstrapStore newStore() {
        return new FileBootstrapStore(dir.resolve("store"), clock);
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
