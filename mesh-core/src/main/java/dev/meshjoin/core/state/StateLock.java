package dev.meshjoin.core.state;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.MeshException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * One process per state directory: an operating-system lock on {@code <dir>/lock}, held while the
 * node runs, with the holder's pid in {@code <dir>/meshjoin.pid}. Two processes on one directory
 * would share one key, one address and one tun device and undo each other's work; the second is
 * refused, naming the first. The lock dies with its process (even on {@code kill -9}), so a
 * restart after a crash is never refused.
 *
 * <pre>{@code
 * try (StateLock lock = StateLock.acquire(Path.of("/var/lib/meshjoin/worker-7"))) { ... }
 * }</pre>
 */
public final class StateLock implements AutoCloseable {
    /** The lock file. */
    public static final String LOCK_FILE = "lock";
    /** The pid of the process holding the lock. */
    public static final String PID_FILE = "meshjoin.pid";

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private StateLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code dir} (created 0700 when missing) and records this process's pid.
     *
     * @throws MeshException "already running as pid N" when another process holds it
     */
    public static StateLock acquire(Path dir) {
        new LocalState(dir).prepare();
        Path file = dir.resolve(LOCK_FILE);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not POSIX: the platform's defaults apply
            }
        } catch (IOException e) {
            throw new ConfigurationException("cannot open " + file + ": " + e.getMessage()
                    + "; choose a writable state directory", e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this very process holds it: a second node on the same directory
        } catch (IOException e) {
            closeQuietly(channel);
            throw new MeshException("cannot lock " + file + ": " + e.getMessage() + "; use a local disk", e);
        }
        if (lock == null) {
            closeQuietly(channel);
            String holder = holder(dir).map(pid -> "pid " + pid).orElse("another process");
            throw new MeshException("the state directory " + dir + " is in use: already running as " + holder
                    + "; stop that node first, or give this one another state directory");
        }
        StateLock held = new StateLock(dir, channel, lock);
        try {
            Path tmp = Files.createTempFile(dir, "." + PID_FILE, ".tmp");
            Files.writeString(tmp, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, dir.resolve(PID_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            held.close();
            throw new MeshException("cannot write " + dir.resolve(PID_FILE) + ": " + e.getMessage(), e);
        }
        return held;
    }

    /** The pid recorded by the holder (or the last holder), if readable. */
    public static Optional<Long> holder(Path dir) {
        try {
            return Optional.of(Long.parseLong(Files.readString(dir.resolve(PID_FILE), StandardCharsets.US_ASCII).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The directory this lock holds. */
    public Path directory() {
        return dir;
    }

    /** Releases the lock and removes the pid file; the next process may take the directory. */
    @Override
    public void close() {
        if (!channel.isOpen()) {
            return;
        }
        try {
            Files.deleteIfExists(dir.resolve(PID_FILE));
        } catch (IOException e) {
            // a stale pid file only names a process that no longer holds the lock
        }
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    @Override
    public String toString() {
        return "StateLock[" + dir + "]";
    }
}
