package dev.meshjoin.store.file;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.testkit.store.BootstrapStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FileBootstrapStoreContractTest extends BootstrapStoreContract {
    @TempDir
    Path dir;

    @Override
    protected BootstrapStore newStore() {
        return new FileBootstrapStore(dir.resolve("store"), clock);
    }

    @Override
    protected boolean canAdvanceTime() {
        return true;
    }
}
