package dev.meshjoin.core.state;

import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.core.record.Role;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.core.record.Json;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;

/**
 * A node's state directory: who it is in which network, its own key pair and certificate. The
 * directory is 0700 and every file 0600, because it holds the node's private key. The CA private
 * key is never written here: it lives sealed in the store.
 */
public final class LocalState {
    private static final String NODE = "node.json";
    private static final String PRIVATE_KEY = "host.key";
    private static final String PUBLIC_KEY = "host.pub";
    private static final String CERTIFICATE = "host.crt";

    private final Path dir;

    /**
     * What the node remembers about itself.
     *
     * @param network the network it belongs to
     * @param node its name
     * @param role founder, lighthouse or member
     * @param caFingerprint the CA it was admitted under
     * @param address its overlay address with prefix
     * @param trustedCas the CA bundle it last verified, by fingerprint (null in state written
     *     before records were signed): trusted beside {@code caFingerprint} after a CA rotation
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Identity(String network, String node, Role role, String caFingerprint, String address,
                           java.util.List<String> trustedCas) {
        public Identity {
            trustedCas = trustedCas == null ? null : java.util.List.copyOf(trustedCas);
        }

        public Identity(String network, String node, Role role, String caFingerprint, String address) {
            this(network, node, role, caFingerprint, address, null);
        }

        /** Every CA fingerprint this identity trusts. */
        public java.util.List<String> trusted() {
            java.util.TreeSet<String> out = new java.util.TreeSet<>();
            out.add(caFingerprint);
            if (trustedCas != null) {
                out.addAll(trustedCas);
            }
            return java.util.List.copyOf(out);
        }

        /** The same identity trusting this bundle. */
        public Identity trusting(java.util.Collection<String> bundle) {
            return new Identity(network, node, role, caFingerprint, address, new java.util.TreeSet<>(bundle).stream().toList());
        }
    }

    public LocalState(Path dir) {
        this.dir = dir;
    }

    public Path directory() {
        return dir;
    }

    /** Creates the directory with owner-only permissions, or tightens an existing one. */
    public void prepare() {
        try {
            Files.createDirectories(dir);
            setPermissions(dir, "rwx------");
        } catch (IOException e) {
            throw new ConfigurationException("cannot create the state directory " + dir + ": " + e.getMessage()
                    + "; choose a writable directory", e);
        }
    }

    public Optional<Identity> identity() {
        return read(NODE).map(bytes -> {
            try {
                return Json.mapper().readValue(bytes, Identity.class);
            } catch (IOException e) {
                throw new MeshException("the state file " + dir.resolve(NODE) + " is damaged (" + e.getMessage()
                        + "); move it away to let this node join afresh", e);
            }
        });
    }

    public void saveIdentity(Identity identity) {
        write(NODE, Json.write(identity));
    }

    /** The saved key pair, if both files exist. */
    public Optional<HostKeyPair> keyPair() {
        Optional<byte[]> priv = read(PRIVATE_KEY);
        Optional<byte[]> pub = read(PUBLIC_KEY);
        if (priv.isEmpty() || pub.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new HostKeyPair(decode(pub.get(), PUBLIC_KEY), decode(priv.get(), PRIVATE_KEY)));
    }

    public void saveKeyPair(HostKeyPair keys) {
        write(PRIVATE_KEY, Base64.getEncoder().encode(keys.privateKey()));
        write(PUBLIC_KEY, Base64.getEncoder().encode(keys.publicKey()));
    }

    public Optional<byte[]> certificate() {
        return read(CERTIFICATE);
    }

    public void saveCertificate(byte[] pem) {
        write(CERTIFICATE, pem);
    }

    /** Forgets the identity and certificate (a founder that lost its election); keeps the key pair. */
    public void forgetMembership() {
        try {
            Files.deleteIfExists(dir.resolve(NODE));
            Files.deleteIfExists(dir.resolve(CERTIFICATE));
        } catch (IOException e) {
            throw new MeshException("cannot clean the state directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private byte[] decode(byte[] text, String name) {
        try {
            return Base64.getDecoder().decode(new String(text, java.nio.charset.StandardCharsets.US_ASCII).strip());
        } catch (IllegalArgumentException e) {
            throw new MeshException("the state file " + dir.resolve(name) + " is damaged; move the state directory away"
                    + " to let this node join afresh with a new key", e);
        }
    }

    private Optional<byte[]> read(String name) {
        Path p = dir.resolve(name);
        try {
            return Files.exists(p) ? Optional.of(Files.readAllBytes(p)) : Optional.empty();
        } catch (IOException e) {
            throw new MeshException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private void write(String name, byte[] bytes) {
        Path target = dir.resolve(name);
        try {
            Path tmp = Files.createTempFile(dir, "." + name, ".tmp");
            setPermissions(tmp, "rw-------");
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new MeshException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static void setPermissions(Path p, String perms) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the platform's default ACLs apply.
        }
    }
}
