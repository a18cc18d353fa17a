package dev.meshjoin.store.etcd;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.testkit.etcd.EtcdServer;
import dev.meshjoin.testkit.store.BootstrapStoreContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract against a real etcd. Every test gets a fresh key prefix, so it starts from an
 * empty store on the one etcd this class starts. Expiry runs on etcd's real clock and is tested
 * in {@link EtcdBootstrapStoreIT}.
 */
class EtcdBootstrapStoreContractIT extends BootstrapStoreContract {
    private static final AtomicInteger RUN = new AtomicInteger();
    private static EtcdServer etcd;

    @BeforeAll
    static void startEtcd() throws Exception {
        etcd = EtcdServer.startIfInstalled();
    }

    @AfterAll
    static void stopEtcd() throws Exception {
        if (etcd != null) {
            etcd.close();
        }
    }

    @Override
    protected BootstrapStore newStore() {
        return EtcdBootstrapStore.builder()
                .endpoint(EtcdServer.assumeRunning(etcd).clientUrl())
                .keyPrefix("contract-" + RUN.incrementAndGet() + "/")
                .build();
    }
}
