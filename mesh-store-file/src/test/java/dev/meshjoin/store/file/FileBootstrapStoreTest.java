package dev.meshjoin.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.BootstrapStoreProvider;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.api.store.StoreLimitException;
import dev.meshjoin.testkit.time.MutableClock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBootstrapStoreTest {
    @TempDir
    Path tmp;

    private final MutableClock clock = MutableClock.startingNow();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private FileBootstrapStore open() {
        return new FileBootstrapStore(tmp.resolve("store"), clock);
    }

    private static List<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    // --- crash safety and damage -----------------------------------------------------------------

    @Test
    void aLeftoverTemporaryFileIsIgnoredAndCleanedAndATruncatedValueIsRefusedNamingTheFile() throws Exception {
        Path entries;
        Path truncated;
        try (FileBootstrapStore store = open()) {
            store.putIfAbsent("mesh/a", b("alpha"));
            Entry damaged = store.putIfAbsent("mesh/b", b("a value long enough to cut in half")).orElseThrow();
            entries = store.entryFile("mesh/a").getParent();
            truncated = store.entryFile("mesh/b");

            // What a writer killed in mid-write leaves: a partial temporary file beside the entries,
            // here a copy of a real entry cut short, so it would parse if it were ever mistaken for one.
            byte[] whole = Files.readAllBytes(store.entryFile("mesh/a"));
            Files.write(entries.resolve(".tmp-crashed-writer"), java.util.Arrays.copyOf(whole, whole.length / 2));
            // A value file cut short (a disk fault, a copy interrupted by hand).
            try (RandomAccessFile raf = new RandomAccessFile(truncated.toFile(), "rw")) {
                raf.setLength(raf.length() - 10);
            }

            assertThat(store.get("mesh/a").orElseThrow().value()).isEqualTo(b("alpha"));
            assertThatThrownBy(() -> store.get("mesh/b"))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining(truncated.toString())
                    .hasMessageContaining("truncated")
                    .hasMessageContaining("delete it")
                    .hasMessageContaining("get mesh/b");
            // The damaged entry is never overwritten: every write to it is refused as well.
            assertThatThrownBy(() -> store.putIfAbsent("mesh/b", b("x"))).isInstanceOf(StoreException.class)
                    .hasMessageContaining(truncated.toString());
            assertThatThrownBy(() -> store.compareAndSet("mesh/b", damaged.version(), b("x")))
                    .isInstanceOf(StoreException.class);
            assertThatThrownBy(() -> store.delete("mesh/b", damaged.version())).isInstanceOf(StoreException.class);
            // A listing leaves the damaged file out rather than failing, and says so.
            assertThat(store.list("mesh/")).extracting(KeyVersion::key).containsExactly("mesh/a");
            assertThat(store.damagedFiles()).containsOnlyKeys(truncated);
            assertThat(store.damagedFiles().get(truncated)).contains("truncated");
            // Other keys still work, and listings that do not reach the damaged file too.
            assertThat(store.putIfAbsent("other/c", b("gamma"))).isPresent();
            assertThat(store.list("other/")).extracting(KeyVersion::key).containsExactly("other/c");
            assertThat(store.list("mesh/a")).extracting(KeyVersion::key).containsExactly("mesh/a");
            assertThat(fileNames(entries)).contains(".tmp-crashed-writer");
        }
        // Opening the store again deletes the orphan; following the advice (delete the file) frees the key.
        try (FileBootstrapStore store = open()) {
            assertThat(fileNames(entries)).noneMatch(n -> n.startsWith(".tmp-"));
            Files.delete(truncated);
            assertThat(store.putIfAbsent("mesh/b", b("again"))).isPresent();
            assertThat(store.list("mesh/")).extracting(KeyVersion::key).containsExactly("mesh/a", "mesh/b");
            assertThat(store.damagedFiles()).isEmpty();
        }
    }

    @Test
    void aValueWithAFlippedByteIsRefusedByItsChecksum() throws Exception {
        try (FileBootstrapStore store = open()) {
            store.putIfAbsent("k", b("sealed secret bytes"));
            Path file = store.entryFile("k");
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length - 8] ^= 0x01; // inside the value: the length stays right
            Files.write(file, bytes);
            assertThatThrownBy(() -> store.get("k")).isInstanceOf(StoreException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("checksum")
                    .satisfies(e -> assertThat(((StoreException) e).retryable()).isFalse());
        }
    }

    @Test
    void oneDamagedHeaderNoLongerFailsEveryListingItIsSkippedAndReported() throws Exception {
        try (FileBootstrapStore store = open()) {
            store.putIfAbsent("k", b("v"));
            store.putIfAbsent("other", b("w"));
            Path file = store.entryFile("k");
            byte[] bytes = Files.readAllBytes(file);
            bytes[10] ^= 0x40; // inside the key bytes of the header
            Files.write(file, bytes);
            assertThat(store.list("")).extracting(KeyVersion::key).containsExactly("other");
            assertThat(store.damagedFiles()).containsOnlyKeys(file);
            assertThat(store.damagedFiles().get(file)).contains("header checksum");
            // Reading it still refuses, naming the file; nothing was rewritten.
            assertThatThrownBy(() -> store.get("k")).isInstanceOf(StoreException.class)
                    .hasMessageContaining(file.toString());
            assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
            // A copy under another key's name is left out of listings as well.
            Files.copy(store.entryFile("other"), store.entryFile("third"));
            assertThat(store.list("")).extracting(KeyVersion::key).containsExactly("other");
            assertThat(store.damagedFiles()).containsKey(store.entryFile("third"));
            assertThat(store.damagedFiles().get(store.entryFile("third"))).contains("holds key 'other'");
        }
    }

    @Test
    void aFileCopiedUnderAnotherKeysNameIsRefused() throws Exception {
        try (FileBootstrapStore store = open()) {
            store.putIfAbsent("a", b("v"));
            Files.copy(store.entryFile("a"), store.entryFile("b"));
            assertThatThrownBy(() -> store.get("b")).isInstanceOf(StoreException.class)
                    .hasMessageContaining("holds key 'a'");
        }
    }

    // --- keys ----------------------------------------------------------------------------------

    @Test
    void theLongestKeysFitUnderFileNameLimitsAndRoundTrip() throws Exception {
        String ascii = "k".repeat(512);
        String astral = "\uD83D\uDE00".repeat(128); // 128 emoji × 4 bytes = 512 bytes
        String atTheEdge = "e".repeat(120); // the longest key still spelled out in its file name
        String pastTheEdge = "e".repeat(121);
        try (FileBootstrapStore store = open()) {
            for (String key : List.of(ascii, astral, atTheEdge, pastTheEdge)) {
                assertThat(key.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(store.maxKeyBytes());
                assertThat(store.entryFile(key).getFileName().toString().length()).isLessThanOrEqualTo(255);
                Entry e = store.putIfAbsent(key, b(key)).orElseThrow();
                Entry e2 = store.compareAndSet(key, e.version(), b("2")).orElseThrow();
                assertThat(store.get(key).orElseThrow().value()).isEqualTo(b("2"));
                assertThat(store.list(key.substring(0, 2))).extracting(KeyVersion::key).contains(key);
                assertThat(store.list(key)).extracting(KeyVersion::version).containsExactly(e2.version());
            }
            assertThat(store.list("")).extracting(KeyVersion::key)
                    .containsExactly(atTheEdge, pastTheEdge, ascii, astral);
            for (KeyVersion kv : store.list("")) {
                assertThat(store.delete(kv.key(), kv.version())).isTrue();
            }
            assertThat(store.list("")).isEmpty();
        }
    }

    @Test
    void keysWithALoneSurrogateAreRefusedBecauseTheyHaveNoUtf8Form() {
        try (FileBootstrapStore store = open()) {
            assertThatThrownBy(() -> store.putIfAbsent("a\uD800", b("v"))).isInstanceOf(StoreLimitException.class)
                    .hasMessageContaining("surrogate");
            assertThatThrownBy(() -> store.get("\uDC00b")).isInstanceOf(StoreLimitException.class);
            assertThat(store.list("")).isEmpty();
        }
    }

    // --- versions, expiry ------------------------------------------------------------------------

    @Test
    void versionsAreNeverReusedAcrossDeletesAndReopening() {
        long last;
        try (FileBootstrapStore store = open()) {
            Entry a = store.putIfAbsent("k", b("1")).orElseThrow();
            assertThat(store.delete("k", a.version())).isTrue();
            last = store.putIfAbsent("k", b("2")).orElseThrow().version();
            assertThat(last).isGreaterThan(a.version());
            assertThat(store.delete("k", last)).isTrue();
        }
        try (FileBootstrapStore store = open()) {
            Entry again = store.putIfAbsent("k", b("3")).orElseThrow();
            assertThat(again.version()).isGreaterThan(last);
            assertThat(store.compareAndSet("k", last, b("stale"))).isEmpty();
        }
    }

    @Test
    void aDeletedLockFileRestartsVersionsAboveTheHighestOnDisk() throws Exception {
        long highest;
        Path root = tmp.resolve("store");
        try (FileBootstrapStore store = open()) {
            store.putIfAbsent("a", b("1"));
            highest = store.putIfAbsent("b", b("2")).orElseThrow().version();
        }
        Files.delete(root.resolve("store.lock"));
        try (FileBootstrapStore store = open()) {
            assertThat(store.putIfAbsent("c", b("3")).orElseThrow().version()).isGreaterThan(highest);
        }
    }

    @Test
    void aTornCounterSlotFallsBackToTheOtherAndTwoTornSlotsAreRefused() throws Exception {
        Path lockFile = tmp.resolve("store").resolve("store.lock");
        long v2;
        try (FileBootstrapStore store = open()) {
            store.putIfAbsent("a", b("1"));
            store.putIfAbsent("a2", b("1"));
            v2 = store.putIfAbsent("b", b("2")).orElseThrow().version();
        }
        byte[] slots = Files.readAllBytes(lockFile);
        assertThat(slots).hasSize(32);
        int newest = ByteBuffer.wrap(slots).getLong(0) == v2 ? 0 : 16;
        assertThat(ByteBuffer.wrap(slots).getLong(16 - newest)).isEqualTo(v2 - 1);
        slots[newest + 3] ^= 0x7f; // tear the newest slot
        Files.write(lockFile, slots);
        try (FileBootstrapStore store = open()) {
            // The readable slot holds v2 - 1, but v2 is in use: the next version must pass it.
            long v3 = store.putIfAbsent("c", b("3")).orElseThrow().version();
            assertThat(v3).isGreaterThan(v2);
            assertThat(store.list("")).extracting(KeyVersion::version).doesNotHaveDuplicates();
        }
        Files.write(lockFile, new byte[32]);
        try (FileBootstrapStore store = open()) {
            assertThatThrownBy(() -> store.putIfAbsent("d", b("4"))).isInstanceOf(StoreException.class)
                    .hasMessageContaining(lockFile.toString()).hasMessageContaining("version counter");
            assertThat(store.get("a")).isPresent();
        }
    }

    @Test
    void anExpiredEntryIsAbsentAndItsFileIsRemovedByTheNextRead() {
        try (FileBootstrapStore store = open()) {
            Entry e = store.putIfAbsent("lease", b("v"), Duration.ofSeconds(10)).orElseThrow();
            assertThat(e.expiresAt()).contains(clock.instant().plusSeconds(10));
            assertThat(store.get("lease").orElseThrow().expiresAt()).isEqualTo(e.expiresAt());
            clock.advance(Duration.ofSeconds(9));
            assertThat(store.get("lease")).isPresent();
            assertThat(store.entryFile("lease")).exists();
            clock.advance(Duration.ofSeconds(1));
            assertThat(store.get("lease")).isEmpty();
            assertThat(store.entryFile("lease")).doesNotExist();
            assertThat(store.delete("lease", e.version())).isFalse();
        }
    }

    // --- files and directories -------------------------------------------------------------------

    @Test
    void theDirectoryIsPrivateAndEveryFileReadableOnlyByItsOwner() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
                "needs a POSIX file system to read permissions");
        Path root = tmp.resolve("store");
        try (FileBootstrapStore store = open()) {
            store.putIfAbsent("secret", b("sealed"));
            Entry e = store.putIfAbsent("rewritten", b("1")).orElseThrow();
            store.compareAndSet("rewritten", e.version(), b("2"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root))).isEqualTo("rwx------");
            Path entries = store.entryFile("secret").getParent();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(entries))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("store.lock"))))
                    .isEqualTo("rw-------");
            for (String key : List.of("secret", "rewritten")) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.entryFile(key))))
                        .isEqualTo("rw-------");
            }
        }
    }

    // --- threads and instances -------------------------------------------------------------------

    @Test
    void twoInstancesOnOneDirectoryShareTheLockAndClosingOneLeavesTheOtherSafe() throws Exception {
        FileBootstrapStore a = open();
        FileBootstrapStore b = open();
        try {
            a.putIfAbsent("counter", ByteBuffer.allocate(8).putLong(0).array());
            int perThread = 40;
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    BootstrapStore s = t % 2 == 0 ? a : b;
                    done.add(pool.submit(() -> {
                        go.await();
                        increment(s, "counter", perThread);
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(ByteBuffer.wrap(a.get("counter").orElseThrow().value()).getLong()).isEqualTo(4L * perThread);
            b.close();
            assertThatThrownBy(() -> b.get("counter")).isInstanceOf(StoreException.class).hasMessageContaining("closed");
            increment(a, "counter", 1);
            assertThat(ByteBuffer.wrap(a.get("counter").orElseThrow().value()).getLong()).isEqualTo(4L * perThread + 1);
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void anInterruptedCallerStillCompletesAndKeepsItsInterrupt() throws Exception {
        try (FileBootstrapStore store = open()) {
            Thread.currentThread().interrupt();
            try {
                assertThat(store.putIfAbsent("k", b("v"))).isPresent();
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
            // The shared lock channel survived: other writes still work.
            assertThat(store.putIfAbsent("k2", b("v"))).isPresent();
            assertThat(store.list("")).hasSize(2);
        }
    }

    static void increment(BootstrapStore store, String key, int times) {
        for (int done = 0; done < times; ) {
            Entry e = store.get(key).orElseThrow();
            long n = ByteBuffer.wrap(e.value()).getLong();
            if (store.compareAndSet(key, e.version(), ByteBuffer.allocate(8).putLong(n + 1).array()).isPresent()) {
                done++;
            }
        }
    }

    // --- provider ------------------------------------------------------------------------------

    @Test
    void theProviderIsFoundForTheFileSchemeAndOpensAbsoluteAndRelativeUris() throws Exception {
        BootstrapStoreProvider provider = ServiceLoader.load(BootstrapStoreProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.scheme().equals("file")).findFirst().orElseThrow();
        Path abs = tmp.resolve("by uri with space");
        try (BootstrapStore store = provider.open(abs.toUri())) {
            store.putIfAbsent("k", b("v"));
            assertThat(store.name()).isEqualTo("file:" + abs);
        }
        try (BootstrapStore store = provider.open(URI.create("file:" + abs.toString().replace(" ", "%20")))) {
            assertThat(store.get("k")).isPresent();
        }
        Path relative = Path.of("target", "provider-test-" + System.nanoTime());
        try (BootstrapStore store = provider.open(URI.create("file:" + relative))) {
            store.putIfAbsent("k", b("v"));
            assertThat(store.name()).isEqualTo("file:" + relative.toAbsolutePath());
        } finally {
            try (Stream<Path> s = Files.walk(relative)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        assertThatThrownBy(() -> provider.open(URI.create("file://otherhost/srv/store")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("local");
        assertThatThrownBy(() -> provider.open(URI.create("file:/srv/store?sync=off")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("query");
    }

    // --- key encoding property -------------------------------------------------------------------

    private Path sandbox;
    private FileBootstrapStore propertyStore;

    @BeforeProperty
    void openPropertyStore() throws IOException {
        sandbox = Files.createTempDirectory("file-store-keys");
        propertyStore = new FileBootstrapStore(sandbox.resolve("store"), clock);
    }

    @AfterProperty
    void closePropertyStore() throws IOException {
        propertyStore.close();
        try (Stream<Path> s = Files.walk(sandbox)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 300)
    void anyPrintableKeyRoundTripsAndStaysInsideTheDirectory(@ForAll("keys") String key, @ForAll("keys") String other) throws IOException {
        FileBootstrapStore store = propertyStore;
        Path root = store.directory();
        Entry e = store.putIfAbsent(key, b(key)).orElseThrow();
        Entry o = other.equals(key) ? e : store.putIfAbsent(other, b(other)).orElseThrow();

        assertThat(store.get(key).orElseThrow()).isEqualTo(e);
        assertThat(store.get(other).orElseThrow().value()).isEqualTo(b(other));
        int cut = key.offsetByCodePoints(0, Math.max(1, key.codePointCount(0, key.length()) / 2));
        assertThat(store.list(key.substring(0, cut))).extracting(KeyVersion::key).contains(key);
        List<String> all = store.list("").stream().map(KeyVersion::key).collect(Collectors.toList());
        assertThat(all).containsExactlyInAnyOrderElementsOf(new java.util.TreeSet<>(List.of(key, other)));
        assertThat(all).isSorted();

        // Nothing but the store's own directory exists in the sandbox, and each key's file sits
        // directly in the entries directory.
        assertThat(fileNames(sandbox)).containsExactly("store");
        assertThat(store.entryFile(key).getParent()).isEqualTo(root.resolve("entries"));
        try (Stream<Path> s = Files.walk(sandbox)) {
            assertThat(s.map(p -> p.toAbsolutePath().normalize())).allMatch(p -> p.startsWith(root) || p.equals(sandbox));
        }

        assertThat(store.delete(key, e.version())).isTrue();
        if (!other.equals(key)) {
            assertThat(store.delete(other, o.version())).isTrue();
        }
        assertThat(fileNames(root.resolve("entries"))).isEmpty();
    }

    @Provide
    Arbitrary<String> keys() {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.of((int) '/', (int) '.', (int) ' ', (int) '%', (int) '\\',
                        (int) ':', (int) '*', (int) '~', (int) 'A', (int) 'a')),
                net.jqwik.api.Tuple.of(5, Arbitraries.integers().between(0x20, 0x7e)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x80, 0xd7ff)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0xe000, 0xfffd)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10ffff)));
        Arbitrary<String> generated = codePoint.list().ofMinSize(1).ofMaxSize(200)
                .map(cps -> cps.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString())
                .filter(s -> s.getBytes(StandardCharsets.UTF_8).length <= 512);
        Arbitrary<String> nasty = Arbitraries.of(".", "..", "/", "../..", "../../etc/passwd", "/etc/passwd",
                "entries", "store.lock", ".tmp-x", "k", "h", "a/../../b", " ", "\u00a0", "名前/..", "x".repeat(512));
        return Arbitraries.oneOf(generated, nasty);
    }
}
