package dev.meshjoin.core.signing;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.join.JoinNetwork;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import dev.meshjoin.api.MeshException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A joiner's credential from the network secret: an HMAC, under the secret's verifier, of the
 * network, node name, public key and nonce. The secret itself is never sent.
 *
 * <p>The secret is best a network key from {@link #generateKey()} ({@code meshctl secret generate}):
 * 256 random bits need no stretching, so its verifier costs a microsecond and a new node joins
 * without any key derivation on its path. Any other secret is a passphrase, stretched with PBKDF2
 * (deliberately slow: 0.1–0.8 s, the most in a JVM that has just started): its verifier is derived
 * once per network salt and kept in memory, and {@link #deriveAhead} starts it in the background as
 * soon as the joiner has read the network record.
 *
 * <p>For a passphrase, given a state directory, it also keeps the verifier there ({@value #FILE}, owner-only), so
 * that a restarted process joins without the PBKDF2 on its path. The file admits joins as the
 * secret does, and lies beside the node's private key under the same protection; it does not
 * reveal the secret (guessing it from the verifier costs the full PBKDF2 per guess, as from the
 * lighthouses' copy). No cheap check ties the file to the secret — it would be a fast oracle for
 * guessing — so a changed secret shows as a refused proof or a record MAC that does not match: the
 * kept verifier is then dropped and the proof or the MAC check is made once more with one derived
 * afresh ({@link #refused}, {@link #dropKept}).
 *
 * <pre>{@code
 * MeshNode.builder().credentials(new NetworkSecretCredentials(System.getenv("MESH_SECRET").toCharArray()))
 * char[] key = NetworkSecretCredentials.generateKey(); // once, when the network is made: mjs1.…
 * }</pre>
 */
public final class NetworkSecretCredentials implements JoinCredential, dev.meshjoin.core.trust.MacKeySource {
    /** The verifier's file in the state directory. */
    public static final String FILE = "network-secret.verifier";
    private static final Logger LOG = LoggerFactory.getLogger(NetworkSecretCredentials.class);
    private static final String HEADER = "meshjoin-verifier-v1";

    private final char[] secret;
    /** Whether the secret is a passphrase (PBKDF2), not a network key (HKDF). */
    private final boolean stretched;
    private final Path stateDirectory;
    private final Map<String, CompletableFuture<byte[]>> verifiers = new ConcurrentHashMap<>();
    /** Salts whose verifier came from the file, not from the secret in this process. */
    private final Set<String> fromFile = ConcurrentHashMap.newKeySet();

    /**
     * @throws ConfigurationException when the secret is shorter than 16 characters, or begins as a
     *     network key ({@code mjs1.}) but is not a whole one
     */
    public NetworkSecretCredentials(char[] secret) {
        this(secret, null);
    }

    /**
     * As {@link #NetworkSecretCredentials(char[])}, keeping the derived verifier in
     * {@code stateDirectory} for the next process (null: in memory only).
     */
    public NetworkSecretCredentials(char[] secret, Path stateDirectory) {
        this.secret = NetworkSecret.check(secret);
        this.stretched = !NetworkSecret.isNetworkKey(this.secret);
        // A network key's verifier is derived in a microsecond: nothing to keep on disk beside it.
        this.stateDirectory = stretched ? stateDirectory : null;
    }

    /**
     * A new network key: {@code mjs1.} and 32 random bytes in urlsafe base64 (48 characters). Give it
     * to every node as the network secret ({@code MESH_SECRET}, better {@code MESH_SECRET_FILE}); a
     * node holding it derives the verifier without PBKDF2, so joins save 0.1–0.8 s of CPU.
     */
    public static char[] generateKey() {
        return NetworkSecret.generate();
    }

    /** Whether this secret is a network key from {@link #generateKey()}, not a passphrase. */
    public boolean isNetworkKey() {
        return !stretched;
    }

    /** Starts deriving the network's verifier on a background thread, unless it is known or kept. */
    @Override
    public void deriveAhead(JoinNetwork network) {
        prepare(network.salt());
    }

    /** As {@link #deriveAhead}, as soon as a record's salt is read: the record MAC key needs the verifier too. */
    @Override
    public void prepare(byte[] networkSalt) {
        if (!stretched) {
            return; // a network key's verifier is one HKDF, made when it is first asked for
        }
        byte[] saltBytes = networkSalt.clone();
        String salt = Base64.getEncoder().encodeToString(saltBytes);
        verifiers.computeIfAbsent(salt, s -> kept(s).map(CompletableFuture::completedFuture).orElseGet(() ->
                CompletableFuture.supplyAsync(() -> keep(s, derive(saltBytes)), r -> {
                    Thread t = new Thread(r, "meshjoin-secret-kdf");
                    t.setDaemon(true);
                    t.start();
                })));
    }

    private byte[] derive(byte[] salt) {
        long t0 = System.nanoTime();
        byte[] v = NetworkSecret.verifier(secret, salt);
        if (stretched) {
            LOG.debug("derived the network secret's verifier ({} PBKDF2 rounds) in {} ms", NetworkSecret.ITERATIONS,
                    (System.nanoTime() - t0) / 1_000_000);
        }
        return v;
    }

    @Override
    public byte[] proofFor(JoinNetwork network, String node, byte[] publicKey, byte[] nonce) {
        byte[] v = verifier(network.salt());
        return Credential.secretProof(NetworkSecret.proof(v, network.name(), node, publicKey, nonce));
    }

    /**
     * The record MAC key: HKDF-SHA256 of the secret's verifier (of a passphrase, PBKDF2, so a store
     * reader guessing it from a MAC pays for every guess) with the network's salt and its own label, so it
     * is independent of the join proofs made under the same verifier.
     */
    @Override
    public Optional<byte[]> recordMacKey(byte[] networkSalt) {
        return Optional.of(NetworkSecret.recordMacKey(verifier(networkSalt), networkSalt));
    }

    private byte[] verifier(byte[] networkSalt) {
        String salt = Base64.getEncoder().encodeToString(networkSalt);
        CompletableFuture<byte[]> f = verifiers.computeIfAbsent(salt, s -> CompletableFuture.completedFuture(
                kept(s).orElseGet(() -> keep(s, derive(networkSalt)))));
        byte[] v;
        try {
            v = f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while deriving the network secret's verifier", e);
        } catch (ExecutionException e) {
            verifiers.remove(salt, f);
            throw e.getCause() instanceof RuntimeException r ? r : new MeshException("deriving the network secret's"
                    + " verifier failed: " + e.getCause(), e.getCause());
        }
        return v;
    }

    /** Drops a verifier read from the file (the secret may have changed): true when there was one. */
    @Override
    public boolean refused(JoinNetwork network) {
        return drop(network.salt(), "the lighthouse refused a proof");
    }

    /** As {@link #refused}, when a record's MAC did not match the key made from the kept verifier. */
    @Override
    public boolean dropKept(byte[] networkSalt) {
        return drop(networkSalt, "a record's MAC did not match");
    }

    private boolean drop(byte[] networkSalt, String why) {
        String salt = Base64.getEncoder().encodeToString(networkSalt);
        if (!fromFile.remove(salt)) {
            return false;
        }
        verifiers.remove(salt);
        try {
            Files.deleteIfExists(stateDirectory.resolve(FILE));
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", stateDirectory.resolve(FILE), e.getMessage());
        }
        LOG.info("{} made with the kept network-secret verifier; deriving it from the secret again", why);
        return true;
    }

    private Optional<byte[]> kept(String salt) {
        if (stateDirectory == null) {
            return Optional.empty();
        }
        Path file = stateDirectory.resolve(FILE);
        try {
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            String[] parts = Files.readString(file, StandardCharsets.US_ASCII).strip().split(" ");
            if (parts.length != 3 || !parts[0].equals(HEADER) || !parts[1].equals(salt)) {
                return Optional.empty(); // another network's, or damaged: derive and replace it
            }
            byte[] v = Base64.getDecoder().decode(parts[2]);
            if (v.length != 32) {
                return Optional.empty();
            }
            fromFile.add(salt);
            return Optional.of(v);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("cannot read {} ({}); deriving the verifier from the secret", file, e.getMessage());
            return Optional.empty();
        }
    }

    private byte[] keep(String salt, byte[] verifier) {
        if (stateDirectory == null) {
            return verifier;
        }
        Path file = stateDirectory.resolve(FILE);
        try {
            Files.createDirectories(stateDirectory);
            Path tmp = Files.createTempFile(stateDirectory, ".verifier", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(tmp, HEADER + " " + salt + " " + Base64.getEncoder().encodeToString(verifier) + "\n",
                        StandardCharsets.US_ASCII);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("cannot keep the verifier in {} ({}); the next process derives it again", file, e.getMessage());
        }
        return Arrays.copyOf(verifier, verifier.length);
    }

    @Override
    public String toString() {
        return "NetworkSecretCredentials[" + (stretched ? "passphrase" : "network key") + " redacted]";
    }
}
