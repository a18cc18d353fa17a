package dev.meshjoin.nebula.overlay;

import dev.meshjoin.api.overlay.OverlayException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * Writes a node's Nebula files into its state directory. Every file is written to a fresh
 * temporary file created with its final permissions, then renamed over the old one, so a reader
 * (the daemon reloading on SIGHUP) sees either the old or the new file, never half of one, and a
 * key file is never readable by anyone but its owner, not even for a moment.
 */
final class NodeFiles {
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");
    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private NodeFiles() {
    }

    /** Creates the directory (0700) with its parents, or tightens an existing one to 0700. */
    static void prepareDirectory(Path dir) {
        try {
            if (Files.isSymbolicLink(dir)) {
                throw new OverlayException("state directory " + dir + " is a symbolic link; give a real directory");
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.toAbsolutePath().getParent());
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
                } catch (FileAlreadyExistsException e) {
                    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                        throw new OverlayException("state directory " + dir + " exists and is not a directory");
                    }
                }
            }
            Files.setPosixFilePermissions(dir, DIRECTORY);
        } catch (IOException e) {
            throw new OverlayException("cannot prepare the state directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code content} to {@code target} with the given permissions unless it already holds
     * exactly that.
     *
     * @return whether the file changed
     */
    static boolean write(Path target, byte[] content, Set<PosixFilePermission> permissions) {
        try {
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
                    && MessageDigest.isEqual(Files.readAllBytes(target), content)
                    && Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS).equals(permissions)) {
                return false;
            }
            Path tmp = target.resolveSibling("." + target.getFileName() + "." + HexFormat.of().toHexDigits(RANDOM.nextLong()) + ".tmp");
            try {
                // The permissions are set atomically with creation; a umask can only remove bits.
                try (SeekableByteChannel ch = Files.newByteChannel(tmp,
                        Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(permissions))) {
                    ByteBuffer buf = ByteBuffer.wrap(content);
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                }
                Files.setPosixFilePermissions(tmp, permissions);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return true;
        } catch (IOException e) {
            throw new OverlayException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
