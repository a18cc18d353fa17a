package dev.meshjoin.kv.cloudflare;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.testkit.cloudflare.LocalKvServer;
import dev.meshjoin.testkit.store.BootstrapStoreContract;
import dev.meshjoin.testkit.time.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/**
 * The store contract against the local KV server. The server runs with no propagation delay (a
 * single client then reads its own writes, as the contract expects of an eventual store) and with
 * the one-write-per-second-per-key limit relaxed: the contract writes a key several times in a row
 * on a frozen clock, which real KV would answer with 429. That limit and the retries it causes are
 * tested on their own in {@link CloudflareKvStoreIT}.
 */
class CloudflareKvStoreContractIT extends BootstrapStoreContract {
    private final MutableClock clock = MutableClock.startingNow();
    private LocalKvServer server;

    @Override
    protected BootstrapStore newStore() {
        server = LocalKvServer.builder().clock(clock).writeRateLimit(false).token("contract-token").build();
        return CloudflareKvStore.builder()
                .baseUrl(server.baseUrl())
                .accountId(server.accountId())
                .namespaceId(server.namespaceId())
                .apiToken("contract-token")
                .clock(clock)
                .build();
    }

    @Override
    protected boolean canAdvanceTime() {
        return true;
    }

    @Override
    protected void advanceTime(Duration duration) {
        clock.advance(duration);
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }
}
