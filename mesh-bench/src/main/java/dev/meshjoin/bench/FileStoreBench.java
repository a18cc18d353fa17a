package dev.meshjoin.bench;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.store.file.FileBootstrapStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Compare-and-set throughput of {@link FileBootstrapStore}: one thread, two threads on one key,
 * two threads on two keys, and two processes on one key. Every successful compare-and-set is a
 * durable write (counter forced, value file forced, renamed, directory forced), so the figures are
 * bounded by the disk's fsync latency, not by the CPU.
 *
 * <pre>
 * ./mvnw -q -DskipTests package -pl mesh-bench -am
 * java -cp "mesh-bench/target/mesh-bench-0.1.0-SNAPSHOT.jar:mesh-bench/target/lib/*" \
 *     dev.meshjoin.bench.FileStoreBench [seconds per case, default 5] [directory, default a temp dir]
 * </pre>
 *
 * Reported: successful compare-and-sets per second (all workers together) and the share of
 * attempts that lost a race and had to retry. Each case runs for one second untimed first.
 */
public final class FileStoreBench {
    private FileStoreBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(Path.of(args[1]), args[2], Double.parseDouble(args[3]));
            return;
        }
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        Path base = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("file-store-bench");
        Path dir = base.resolve("store-" + ProcessHandle.current().pid());
        System.out.printf("FileBootstrapStore CAS bench: %s, %.1f s per case, %d cpus, file system %s%n",
                dir, seconds, Runtime.getRuntime().availableProcessors(), Files.getFileStore(base).type());
        try (FileBootstrapStore store = new FileBootstrapStore(dir)) {
            for (String key : List.of("one", "two")) {
                store.putIfAbsent(key, ByteBuffer.allocate(8).putLong(0).array());
            }
            threads(store, "1 thread, 1 key", seconds, "one");
            threads(store, "2 threads, 1 key", seconds, "one", "one");
            threads(store, "2 threads, 2 keys", seconds, "one", "two");
            getRate(store, seconds);
        }
        processes(dir, seconds);
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static void threads(BootstrapStore store, String label, double seconds, String... keys) throws Exception {
        run(store, 1, keys); // warm-up
        long[] r = run(store, seconds, keys);
        report(label, r[0], r[1], seconds);
    }

    private static long[] run(BootstrapStore store, double seconds, String... keys) throws Exception {
        AtomicLong ok = new AtomicLong();
        AtomicLong lost = new AtomicLong();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        for (String key : keys) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    long[] r = increments(store, key, end);
                    ok.addAndGet(r[0]);
                    lost.addAndGet(r[1]);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.start();
            threads.add(t);
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        return new long[] {ok.get(), lost.get()};
    }

    private static long[] increments(BootstrapStore store, String key, long endNanos) {
        long ok = 0;
        long lost = 0;
        while (System.nanoTime() < endNanos) {
            Entry e = store.get(key).orElseThrow();
            long n = ByteBuffer.wrap(e.value()).getLong();
            if (store.compareAndSet(key, e.version(), ByteBuffer.allocate(8).putLong(n + 1).array()).isPresent()) {
                ok++;
            } else {
                lost++;
            }
        }
        return new long[] {ok, lost};
    }

    private static void getRate(BootstrapStore store, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long n = 0;
        while (System.nanoTime() < end) {
            store.get("one").orElseThrow();
            n++;
        }
        System.out.printf("%-22s %10.0f gets/s (reads take no lock)%n", "1 thread, get", n / seconds);
    }

    private static void processes(Path dir, double seconds) throws Exception {
        List<Process> children = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                children.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), FileStoreBench.class.getName(),
                        "child", dir.toString(), "one", String.valueOf(seconds))
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start());
            }
            List<BufferedReader> outs = new ArrayList<>();
            for (Process p : children) {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                expect(r, "READY");
                outs.add(r);
            }
            for (Process p : children) {
                Writer w = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
                w.write("GO\n");
                w.flush();
            }
            long ok = 0;
            long lost = 0;
            for (BufferedReader r : outs) {
                String[] parts = expect(r, "DONE").split(" ");
                ok += Long.parseLong(parts[1]);
                lost += Long.parseLong(parts[2]);
            }
            report("2 processes, 1 key", ok, lost, seconds);
        } finally {
            for (Process p : children) {
                p.destroyForcibly();
            }
        }
    }

    private static String expect(BufferedReader r, String prefix) throws IOException {
        String line = r.readLine();
        if (line == null || !line.startsWith(prefix)) {
            throw new IllegalStateException("child said " + line + ", expected " + prefix);
        }
        return line;
    }

    private static void child(Path dir, String key, double seconds) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (FileBootstrapStore store = new FileBootstrapStore(dir)) {
            increments(store, key, System.nanoTime() + 1_000_000_000L); // warm-up
            System.out.println("READY");
            System.out.flush();
            if (!"GO".equals(in.readLine())) {
                throw new IllegalStateException("expected GO");
            }
            long[] r = increments(store, key, System.nanoTime() + (long) (seconds * 1e9));
            System.out.println("DONE " + r[0] + " " + r[1]);
            System.out.flush();
        }
    }

    private static void report(String label, long ok, long lost, double seconds) {
        System.out.printf("%-22s %10.0f CAS/s  (%d done, %.0f%% of attempts lost a race)%n",
                label, ok / seconds, ok, ok + lost == 0 ? 0.0 : 100.0 * lost / (ok + lost));
    }
}
