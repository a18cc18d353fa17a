package dev.meshjoin.store.file;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Consistency;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.api.store.StoreLimitException;
import dev.meshjoin.api.store.StoreLimits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The embedded default {@link BootstrapStore}: a directory on the local disk that any number of
 * threads and processes of one host share safely. It needs no account and no server, which makes
 * it the store for a single machine, for tests and for trying meshjoin out.
 *
 * <pre>{@code
 * try (BootstrapStore store = new FileBootstrapStore(Path.of("/var/lib/meshjoin/store"))) {
 *     store.putIfAbsent("mesh/prod/founder", claim, Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * or by URI through {@link FileBootstrapStoreProvider}: {@code file:/var/lib/meshjoin/store}.
 *
 * <h2>Layout</h2>
 * <ul>
 *   <li>{@code store.lock} (0600): the lock every write takes, and the store-wide version
 *       counter.</li>
 *   <li>{@code entries/} (0700): one file (0600) per key, named from the key so that no key can
 *       reach outside the directory; see {@code KeyNames}. Each file holds a header (format
 *       version, key, entry version, expiry), the value, and CRC32C checksums, so a damaged or
 *       truncated file is refused with a message naming it instead of being read as a value.</li>
 * </ul>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Linearizable.</b> Every write and every listing runs under one lock held across threads
 *       (a JVM lock) and processes (an operating-system file lock). A write puts the new file
 *       under a temporary name, forces it to disk, renames it over the old one atomically and
 *       forces the directory, so a {@link #get} — which reads one file without the lock — sees
 *       the old value or the new one, whole.</li>
 *   <li><b>No torn values.</b> A crash in mid-write leaves at most a temporary file, which reads
 *       ignore and the next opening of the store deletes.</li>
 *   <li><b>Versions are never reused</b>, even across deletes and restarts: they come from the
 *       store-wide counter, forced to disk before use.</li>
 *   <li><b>Expiry</b> follows the injected {@link Clock}: expired entries count as absent and their
 *       files are removed lazily, by the next read, listing or write that meets them.</li>
 * </ul>
 *
 * Locks are advisory: only meshjoin processes honour them, so keep other programs out of the
 * directory. Network file systems do not all implement locks and atomic renames faithfully; use
 * a local disk.
 */
public final class FileBootstrapStore implements BootstrapStore {
    static final String LOCK_FILE = "store.lock";
    static final String ENTRIES_DIR = "entries";

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> DIR_PERMS = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_PERMS = PosixFilePermissions.fromString("rw-------");

    private final Path root;
    private final Path entries;
    private final Clock clock;
    private final String name;
    private final StoreLock lock;
    private final DamagedFiles damaged = new DamagedFiles();
    private volatile boolean closed;

    /** A store in {@code directory} (created when missing) on the system clock. */
    public FileBootstrapStore(Path directory) {
        this(directory, Clock.systemUTC());
    }

    /**
     * A store in {@code directory} (created, 0700, when missing) whose time-to-live runs on
     * {@code clock}. Temporary files left by a crashed writer are deleted here.
     *
     * @throws StoreException when the directory cannot be created or locked
     */
    public FileBootstrapStore(Path directory, Clock clock) {
        Objects.requireNonNull(directory, "directory");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.root = directory.toAbsolutePath().normalize();
        this.entries = root.resolve(ENTRIES_DIR);
        this.name = "file:" + root;
        try {
            createPrivateDirectory(root);
            createPrivateDirectory(entries);
            this.lock = StoreLock.open(root.resolve(LOCK_FILE), fileAttributes());
        } catch (IOException e) {
            throw new StoreException(name, "open", "cannot create or lock " + root + " (" + e
                    + "); check that the path is a writable directory on a local disk", false, e);
        }
        try {
            lock.locked(() -> {
                deleteTemporaryFiles();
                return null;
            });
        } catch (IOException | DamagedFileException | RuntimeException e) {
            closeQuietly();
            throw failure("open", e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** The store's directory. */
    public Path directory() {
        return root;
    }

    /**
     * The file that holds (or would hold) {@code key}, for operators: a message about a damaged
     * entry names it, and deleting it drops the key.
     */
    public Path entryFile(String key) {
        checkKey("entryFile", key);
        return entries.resolve(KeyNames.fileName(key));
    }

    @Override
    public Consistency consistency() {
        return Consistency.linearizable();
    }

    @Override
    public Optional<Entry> get(String key) {
        checkKey("get", key);
        ensureOpen("get " + key);
        Path file = entries.resolve(KeyNames.fileName(key));
        try {
            Optional<Stored> stored = read(file, key);
            if (stored.isEmpty()) {
                return Optional.empty();
            }
            if (stored.get().header.liveAt(clock.instant())) {
                return Optional.of(stored.get().entry());
            }
            long expiredVersion = stored.get().header.version();
            lock.locked(() -> {
                removeIfExpired(file, key, expiredVersion);
                return null;
            });
            return Optional.empty();
        } catch (IOException | DamagedFileException e) {
            throw failure("get " + key, e);
        }
    }

    @Override
    public Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
        StoreLimits.checkWrite(this, "putIfAbsent", key, value, ttl);
        checkKey("putIfAbsent", key);
        ensureOpen("putIfAbsent " + key);
        byte[] copy = value.clone();
        return write("putIfAbsent " + key, key, current -> current.isEmpty(), copy, ttl);
    }

    @Override
    public Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value, Duration ttl) {
        StoreLimits.checkWrite(this, "compareAndSet", key, value, ttl);
        checkKey("compareAndSet", key);
        ensureOpen("compareAndSet " + key);
        byte[] copy = value.clone();
        return write("compareAndSet " + key, key,
                current -> current.isPresent() && current.get().version() == expectedVersion, copy, ttl);
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        checkKey("delete", key);
        ensureOpen("delete " + key);
        Path file = entries.resolve(KeyNames.fileName(key));
        try {
            return lock.locked(() -> {
                Optional<Stored> current = read(file, key);
                if (current.isEmpty()) {
                    return false;
                }
                if (!current.get().header.liveAt(clock.instant())) {
                    removeIfExpired(file, key, current.get().header.version());
                    return false;
                }
                if (current.get().header.version() != expectedVersion) {
                    return false;
                }
                Files.delete(file);
                forceDirectory(entries);
                return true;
            });
        } catch (IOException | DamagedFileException e) {
            throw failure("delete " + key, e);
        }
    }

    @Override
    public List<KeyVersion> list(String prefix) {
        StoreLimits.checkPrefix(this, "list", prefix);
        if (!prefix.isEmpty()) {
            checkKey("list", prefix);
        }
        ensureOpen("list " + prefix);
        try {
            // Under the lock so that the listing is one instant of the store, not a smear of it.
            return lock.locked(() -> {
                Instant now = clock.instant();
                List<KeyVersion> out = new ArrayList<>();
                boolean removed = false;
                try (DirectoryStream<Path> dir = Files.newDirectoryStream(entries)) {
                    for (Path file : dir) {
                        String fileName = file.getFileName().toString();
                        if (!KeyNames.isEntryName(fileName)) {
                            continue;
                        }
                        Optional<String> named = KeyNames.directKey(fileName);
                        if (named.isPresent() && !named.get().startsWith(prefix)) {
                            continue;
                        }
                        Optional<EntryFile.Header> header;
                        try {
                            header = EntryFile.readListed(file, maxKeyBytes());
                        } catch (DamagedFileException e) {
                            damaged.found(e, named.orElse(null)); // must not hide the others: skipped, reported
                            continue;
                        }
                        damaged.healthy(file);
                        if (header.isEmpty()) {
                            continue;
                        }
                        EntryFile.Header h = header.get();
                        if (!h.key().startsWith(prefix)) {
                            continue;
                        }
                        if (!h.liveAt(now)) {
                            Files.deleteIfExists(file);
                            removed = true;
                            continue;
                        }
                        out.add(new KeyVersion(h.key(), h.version(), h.expiresAt()));
                    }
                }
                if (removed) {
                    forceDirectory(entries);
                }
                out.sort(Comparator.comparing(KeyVersion::key));
                return out;
            });
        } catch (IOException | DamagedFileException e) {
            throw failure("list " + prefix, e);
        }
    }

    /** Releases this instance's hold on the lock file; the store is unusable afterwards. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lock.close();
        } catch (IOException e) {
            throw new StoreException(name, "close", "cannot close the lock file: " + e, false, e);
        }
    }

    /** Entry files listings found damaged and skipped (and logged), with why: delete or restore them. */
    public Map<Path, String> damagedFiles() {
        return damaged.snapshot();
    }

    @Override
    public String toString() {
        return "FileBootstrapStore[" + root + "]";
    }

    // ---------------------------------------------------------------------------------------------

    private interface Condition {
        boolean holds(Optional<Entry> current);
    }

    /** A complete, checked value file. */
    private record Stored(EntryFile.Header header, byte[] value) {
        Entry entry() {
            return new Entry(header.key(), value, header.version(), header.expiresAt());
        }
    }

    private Optional<Entry> write(String operation, String key, Condition condition, byte[] value, Duration ttl) {
        Path file = entries.resolve(KeyNames.fileName(key));
        try {
            return lock.locked(() -> {
                Instant now = clock.instant();
                Optional<Stored> stored = read(file, key);
                Optional<Entry> current = stored.filter(s -> s.header.liveAt(now)).map(Stored::entry);
                if (!condition.holds(current)) {
                    if (stored.isPresent() && current.isEmpty()) {
                        removeIfExpired(file, key, stored.get().header.version());
                    }
                    return Optional.<Entry>empty();
                }
                long version = lock.nextVersion(this::highestVersionOnDisk);
                Optional<Instant> expiresAt = Optional.ofNullable(ttl).map(now::plus);
                byte[] bytes = EntryFile.encode(key.getBytes(StandardCharsets.UTF_8), version, expiresAt, value);
                replace(file, bytes);
                return Optional.of(new Entry(key, value, version, expiresAt));
            });
        } catch (IOException | DamagedFileException e) {
            throw failure(operation, e);
        }
    }

    /** Writes {@code bytes} beside {@code file}, forces them, then renames them over it. */
    private void replace(Path file, byte[] bytes) throws IOException {
        Path temp = entries.resolve(KeyNames.TEMP_PREFIX + UUID.randomUUID());
        try {
            try (FileChannel ch = FileChannel.open(temp,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), fileAttributes())) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
            forceDirectory(entries);
        } finally {
            if (temp != null) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** Reads and checks the whole file of {@code key}; empty when there is none. */
    private Optional<Stored> read(Path file, String key) throws IOException, DamagedFileException {
        byte[] whole;
        try {
            whole = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        EntryFile.Header header = EntryFile.parseHeader(file, ByteBuffer.wrap(whole), whole.length);
        byte[] value = EntryFile.value(file, whole, header);
        if (!header.key().equals(key)) {
            throw new DamagedFileException(file, "holds key '" + header.key() + "', not '" + key + "'");
        }
        return Optional.of(new Stored(header, value));
    }

    /** Reads and checks only the header, enough for a listing; empty when the file is gone. */
    /** Deletes the file of an expired entry if it still holds that entry. Call under the lock. */
    private void removeIfExpired(Path file, String key, long version) throws IOException, DamagedFileException {
        Optional<Stored> now = read(file, key);
        if (now.isPresent() && now.get().header.version() == version && !now.get().header.liveAt(clock.instant())) {
            Files.delete(file);
            forceDirectory(entries);
        }
    }

    /** The highest entry version on disk, used only when the counter must be rebuilt. */
    private long highestVersionOnDisk() throws IOException, DamagedFileException {
        long highest = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(entries)) {
            for (Path file : dir) {
                if (KeyNames.isEntryName(file.getFileName().toString())) {
                    Optional<EntryFile.Header> h = EntryFile.readHeader(file, maxKeyBytes());
                    if (h.isPresent()) {
                        highest = Math.max(highest, h.get().version());
                    }
                }
            }
        }
        return highest;
    }

    /** Temporary files are only created under the lock, so any found under it are orphans. */
    private void deleteTemporaryFiles() throws IOException {
        boolean removed = false;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(entries, KeyNames.TEMP_PREFIX + "*")) {
            for (Path temp : dir) {
                Files.deleteIfExists(temp);
                removed = true;
            }
        }
        if (removed) {
            forceDirectory(entries);
        }
    }

    private void checkKey(String operation, String key) {
        StoreLimits.checkKey(this, operation, key);
        int at = KeyNames.firstLoneSurrogate(key);
        if (at >= 0) {
            throw new StoreLimitException(name, operation,
                    "the key has a lone surrogate at index " + at + ", so it is not valid Unicode text");
        }
    }

    private void ensureOpen(String operation) {
        if (closed) {
            throw new StoreException(name, operation, "the store is closed; open a new one", false);
        }
    }

    private StoreException failure(String operation, Exception e) {
        if (e instanceof StoreException se) {
            return se;
        }
        if (e instanceof DamagedFileException d) {
            String remedy = d.file().getFileName().toString().equals(LOCK_FILE)
                    ? "; stop every process using the store, then delete it: versions restart above the highest on disk"
                    : "; it was not left by a complete write of this store (a disk fault or an edit by hand). "
                            + "Restore it from a backup, or delete it to drop that one key; other keys are unaffected";
            return new StoreException(name, operation, "the file " + d.file() + " is damaged: " + d.reason() + remedy,
                    false, e);
        }
        if (e instanceof ClosedChannelException && closed) {
            return new StoreException(name, operation, "the store is closed; open a new one", false, e);
        }
        return new StoreException(name, operation, "I/O error on " + root + ": " + e
                + "; check free space and permissions", true, e);
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException ignored) {
            // already failing with a better message
        }
    }

    private static FileAttribute<?>[] fileAttributes() {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_PERMS)} : new FileAttribute<?>[0];
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (POSIX) {
            Path parent = dir.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_PERMS));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                if (!Files.isDirectory(dir)) {
                    throw raced;
                }
            }
        } else {
            Files.createDirectories(dir);
        }
    }

    /** Makes a rename or delete in {@code dir} durable; not possible (nor needed) on Windows. */
    private static void forceDirectory(Path dir) throws IOException {
        if (!POSIX) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
