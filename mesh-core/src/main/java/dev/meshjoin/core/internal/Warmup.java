package dev.meshjoin.core.internal;

import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.MemberRecord;
import dev.meshjoin.core.record.NetworkRecord;
import dev.meshjoin.core.state.StateDocument;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Once per JVM, on a daemon thread, sets up what a node's first join will need, while the caller
 * is still wiring its node: the JSON mappers (their first use loads some 600 classes and the
 * locale data of Jackson's date format, 100-200 ms in a fresh JVM), the SHA-256 code the secret's
 * PBKDF2 runs on (compiled, with the CPU's SHA instructions, instead of interpreted for the first
 * part of its 210,000 rounds) and Bouncy Castle's curve tables. None of it has effects: it only
 * moves work that the first join does anyway onto a core that is idle at that time.
 */
public final class Warmup {
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    /** Classes whose static set-up (their own JSON mappers) the join needs; not visible from here. */
    private static final List<String> INITIALISE = List.of("dev.meshjoin.core.signing.Wire");
    /** Enough SHA-256 compressions for the JIT to compile them (its threshold is some 15,000 calls). */
    static final int DIGESTS = 40_000;

    private Warmup() {
    }

    /** Starts the warm-up, the first time it is called in this JVM; returns at once. */
    public static void start() {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        try {
            Thread t = new Thread(Warmup::run, "meshjoin-warm-up");
            t.setDaemon(true);
            t.start();
        } catch (OutOfMemoryError | SecurityException e) {
            LOG.debug("no warm-up thread: {}", e.toString()); // the first join just does it itself
        }
    }

    static void run() {
        long t0 = System.nanoTime();
        try {
            Json.mapper().readerFor(NetworkRecord.class);
            Json.mapper().readerFor(MemberRecord.class);
            Json.mapper().readerFor(StateDocument.class);
            for (String c : INITIALISE) {
                Class.forName(c, true, Warmup.class.getClassLoader());
            }
            sha256(DIGESTS);
            org.bouncycastle.math.ec.rfc8032.Ed25519.precompute();
            org.bouncycastle.math.ec.rfc7748.X25519.precompute();
            LOG.debug("warm-up done in {} ms", (System.nanoTime() - t0) / 1_000_000);
        } catch (Throwable e) {
            LOG.debug("warm-up stopped: {}", e.toString());
        }
    }

    /** The PBKDF2's own pattern: a 32-byte update of a copied state and a digest into a buffer. */
    static byte[] sha256(int digests) throws Exception {
        MessageDigest base = MessageDigest.getInstance("SHA-256");
        base.update(new byte[64]);
        byte[] u = new byte[32];
        for (int i = 0; i < digests; i++) {
            MessageDigest h = (MessageDigest) base.clone();
            h.update(u);
            h.digest(u, 0, 32);
        }
        return u;
    }
}
