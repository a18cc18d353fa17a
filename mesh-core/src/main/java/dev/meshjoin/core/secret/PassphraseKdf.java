package dev.meshjoin.core.secret;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The passphrase key derivation of the default codec, identified in every envelope by
 * {@link #ID} so that stronger parameters can be introduced later under a new id while old
 * values still open.
 *
 * <p>Argon2id (RFC 9106) with 19 MiB of memory, 2 passes and 1 lane: the minimum configuration
 * OWASP's Password Storage Cheat Sheet recommends first. It is chosen over PBKDF2-HMAC-SHA256 at
 * 600,000 iterations because the network passphrase is often chosen by a person, and Argon2id is
 * memory-hard: every guess costs 19 MiB, which removes most of the advantage GPUs and ASICs have
 * against PBKDF2. Bouncy Castle is already a dependency of the project, and the cost (tens to a
 * few hundred milliseconds) is paid once per process and salt because derived keys are cached
 * ({@link SecretKeyring}).
 */
final class PassphraseKdf {
    /** The envelope's KDF id for Argon2id with the parameters below. */
    static final int ID = 1;
    static final int MEMORY_KIB = 19 * 1024;
    static final int ITERATIONS = 2;
    static final int PARALLELISM = 1;
    static final int KEY_BYTES = 32;
    static final int MIN_SALT_BYTES = 16;
    static final int MAX_SALT_BYTES = 64;

    private static final AtomicLong DERIVATIONS = new AtomicLong();

    private PassphraseKdf() {
    }

    /** How many derivations this JVM ran; lets tests prove the cache works. */
    static long derivations() {
        return DERIVATIONS.get();
    }

    static byte[] derive(char[] passphrase, byte[] salt) {
        checkSalt(salt);
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(MEMORY_KIB)
                .withIterations(ITERATIONS)
                .withParallelism(PARALLELISM)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        DERIVATIONS.incrementAndGet();
        byte[] key = new byte[KEY_BYTES];
        // Bouncy Castle encodes the characters as UTF-8, as every other Argon2 binding does.
        generator.generateBytes(passphrase, key);
        return key;
    }

    static void checkSalt(byte[] salt) {
        if (salt == null || salt.length < MIN_SALT_BYTES || salt.length > MAX_SALT_BYTES) {
            throw new IllegalArgumentException("a passphrase salt has " + MIN_SALT_BYTES + " to " + MAX_SALT_BYTES
                    + " bytes, got " + (salt == null ? "none" : salt.length + "")
                    + "; make one with SecretKeyring.newSalt()");
        }
    }

    static char[] copyPassphrase(char[] passphrase) {
        if (passphrase == null || passphrase.length == 0) {
            throw new IllegalArgumentException("the passphrase is empty; an empty passphrase protects nothing");
        }
        return Arrays.copyOf(passphrase, passphrase.length);
    }
}
