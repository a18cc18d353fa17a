package dev.meshjoin.cli;

import dev.meshjoin.testkit.cloudflare.LocalKvServer;
import java.time.Duration;

/**
 * Runs the local Workers KV server in its own JVM, so a test can put it inside a network
 * namespace next to the node that uses it: {@code KvServerMain TOKEN DELAY_MILLIS} prints
 * {@code KV <base-url> <account> <namespace>} once it listens, then serves until killed.
 */
public final class KvServerMain {
    private KvServerMain() {
    }

    public static void main(String[] args) throws Exception {
        LocalKvServer kv = LocalKvServer.builder().token(args[0])
                .propagationDelay(Duration.ofMillis(Long.parseLong(args[1]))).build();
        System.out.println("KV " + kv.baseUrl() + " " + kv.accountId() + " " + kv.namespaceId());
        System.out.flush();
        Thread.currentThread().join();
    }
}
