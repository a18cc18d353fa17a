package dev.meshjoin.store.cloudflare;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshjoin.testkit.cloudflare.WranglerDev;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The store Worker of this module under {@code wrangler dev} (real {@code workerd}, real SQLite
 * Durable Objects), started once for all integration tests of a JVM with a random token. Tests
 * that need it are skipped, with the reason, when Node.js or the Worker's npm packages are missing.
 */
final class StoreWorker {
    private static final AtomicInteger RUN = new AtomicInteger();
    private static WranglerDev dev;
    private static String token;
    private static String readToken;

    private StoreWorker() {
    }

    static Path folder() {
        return Path.of(System.getProperty("meshjoin.worker.dir", "worker")).toAbsolutePath();
    }

    /** The running Worker; skips the calling test when it cannot run here. */
    static synchronized WranglerDev dev() {
        if (dev == null) {
            assumeTrue(WranglerDev.unavailableReason(folder()).isEmpty(),
                    () -> "skipped: " + WranglerDev.unavailableReason(folder()).orElse(""));
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            token = HexFormat.of().formatHex(random);
            new SecureRandom().nextBytes(random);
            readToken = HexFormat.of().formatHex(random);
            dev = WranglerDev.start(folder(), Map.of(CloudflareDoStore.ENV_TOKEN, token, "MESH_STORE_READ_TOKEN", readToken),
                    "/v1/health");
            Runtime.getRuntime().addShutdownHook(new Thread(dev::close, "store-worker-stop"));
        }
        return dev;
    }

    static String token() {
        dev();
        return token;
    }

    /** The token that may only read (a member's). */
    static String readToken() {
        dev();
        return readToken;
    }

    /** An object prefix no other test has used, so the test starts from empty objects. */
    static String freshPrefix() {
        return "t" + ProcessHandle.current().pid() + "-" + RUN.incrementAndGet() + "-";
    }

    /** A store client of its own on the Worker, in objects of its own. */
    static CloudflareDoStore store(String objectPrefix) {
        return CloudflareDoStore.builder().endpoint(dev().url()).token(token().toCharArray())
                .objectPrefix(objectPrefix).build();
    }
}
