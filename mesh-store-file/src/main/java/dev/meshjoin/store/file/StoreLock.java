package dev.meshjoin.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * The store-wide writer lock and the version counter, both kept in one lock file.
 *
 * <p>Mutual exclusion has two layers because an operating-system file lock belongs to a whole
 * process: a {@link ReentrantLock} orders the threads of this JVM, then {@link FileChannel#lock()}
 * orders the processes. Both are shared by every store opened on the same directory in this JVM,
 * through one channel: on POSIX systems closing <em>any</em> descriptor of a file drops all of
 * the process's locks on it, so a second channel closed by a second store instance would silently
 * unlock the first.
 *
 * <p>The counter holds the last version handed out. Each new value goes into whichever of two
 * checksummed 16-byte slots does not hold the current one, and forced to disk before the version is used, so a crash in
 * mid-write tears at most the slot being written while the other still holds the version before it.
 * The reader takes the higher slot, or, when one slot is unreadable, the readable one plus one: a
 * version may be skipped but never handed out twice.
 */
final class StoreLock {
    private static final int SLOT = 16;
    private static final int SLOT_MAGIC = 0x4D4A5643; // "MJVC"
    private static final Map<Path, Shared> OPEN = new HashMap<>();

    /** The lock state of one directory, shared by the store instances of this JVM that use it. */
    private static final class Shared {
        final Path file;
        final FileAttribute<?>[] attrs;
        final ReentrantLock jvmLock = new ReentrantLock();
        FileChannel channel;
        int users;

        Shared(Path file, FileAttribute<?>[] attrs) {
            this.file = file;
            this.attrs = attrs;
        }

        FileChannel channel() throws IOException {
            // An interrupt during an operation on the channel closes it; reopen for the next holder.
            if (channel == null || !channel.isOpen()) {
                channel = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE,
                        StandardOpenOption.READ, StandardOpenOption.WRITE), attrs);
            }
            return channel;
        }
    }

    /** Work done while holding the lock. */
    interface Locked<T> {
        T run() throws IOException, DamagedFileException;
    }

    private final Shared shared;
    private boolean closed;

    private StoreLock(Shared shared) {
        this.shared = shared;
    }

    /** Opens (or joins) the lock of the directory that holds {@code lockFile}. */
    static StoreLock open(Path lockFile, FileAttribute<?>[] attrs) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        synchronized (OPEN) {
            Shared s = OPEN.get(key);
            if (s == null) {
                s = new Shared(key, attrs);
                s.jvmLock.lock();
                try {
                    s.channel();
                } finally {
                    s.jvmLock.unlock();
                }
                OPEN.put(key, s);
            }
            s.users++;
            return new StoreLock(s);
        }
    }

    /**
     * Runs {@code work} holding both locks. A pending interrupt is set aside for the duration (an
     * interrupted thread would otherwise close the shared channel under every other user) and
     * restored afterwards.
     */
    <T> T locked(Locked<T> work) throws IOException, DamagedFileException {
        boolean interrupted = Thread.interrupted();
        shared.jvmLock.lock();
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
            FileLock fileLock = shared.channel().lock();
            try {
                return work.run();
            } finally {
                if (fileLock.isValid()) {
                    fileLock.release();
                }
            }
        } finally {
            shared.jvmLock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The next version, durable before it is returned. Call only inside {@link #locked}. */
    long nextVersion(Locked<Long> highestInUse) throws IOException, DamagedFileException {
        if (!shared.jvmLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("nextVersion outside the lock");
        }
        FileChannel ch = shared.channel();
        Counter current = readCounter(ch, highestInUse);
        long next = current.value() + 1;
        ByteBuffer slot = ByteBuffer.allocate(SLOT);
        slot.putLong(next).putInt(crc(next)).putInt(SLOT_MAGIC).flip();
        // Never overwrite the slot holding the current value: a torn write must leave it intact.
        long position = (long) (1 - current.slot()) * SLOT;
        while (slot.hasRemaining()) {
            position += ch.write(slot, position);
        }
        ch.force(false);
        return next;
    }

    /** The last version handed out, and the slot (0 or 1) that holds it. */
    private record Counter(long value, int slot) {
    }

    private Counter readCounter(FileChannel ch, Locked<Long> highestInUse) throws IOException, DamagedFileException {
        long size = ch.size();
        if (size == 0) {
            // A new store, or a lock file deleted by hand: continue above every version on disk.
            return new Counter(highestInUse.run(), 1);
        }
        ByteBuffer both = ByteBuffer.allocate(2 * SLOT);
        long position = 0;
        while (both.hasRemaining()) {
            int n = ch.read(both, position);
            if (n < 0) {
                break;
            }
            position += n;
        }
        both.flip();
        long best = -1;
        int bestSlot = 1;
        int valid = 0;
        for (int i = 0; i + SLOT <= both.limit(); i += SLOT) {
            long value = both.getLong(i);
            if (both.getInt(i + 12) == SLOT_MAGIC && both.getInt(i + 8) == crc(value) && value >= 0) {
                valid++;
                if (value > best) {
                    best = value;
                    bestSlot = i / SLOT;
                }
            }
        }
        if (valid == 1) {
            // Successive writes alternate slots, so the unreadable one held at most best + 1. After a
            // crash that value was never used; after outside damage it may have been: skip it.
            return new Counter(best + 1, bestSlot);
        }
        if (best < 0) {
            long onDisk = highestInUse.run();
            if (onDisk == 0) {
                return new Counter(0, 1); // the very first write was torn; no version was handed out
            }
            throw new DamagedFileException(shared.file, "the version counter is damaged in both copies");
        }
        return new Counter(best, bestSlot);
    }

    private static int crc(long value) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).putLong(value).array());
        return (int) crc.getValue();
    }

    /** Leaves the lock; the channel closes when the last store of this JVM on the directory does. */
    void close() throws IOException {
        synchronized (OPEN) {
            if (closed) {
                return;
            }
            shared.jvmLock.lock();
            try {
                closed = true;
                if (--shared.users == 0) {
                    OPEN.remove(shared.file);
                    if (shared.channel != null) {
                        shared.channel.close();
                    }
                }
            } finally {
                shared.jvmLock.unlock();
            }
        }
    }
}
