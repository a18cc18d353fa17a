package dev.meshjoin.store.file;

import dev.meshjoin.api.store.Entry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A child process for {@link FileBootstrapStoreCrossProcessIT}: opens a file store, prints
 * {@code READY}, waits for {@code GO} on standard input so that every child starts at once, then
 *
 * <ul>
 *   <li>{@code cas <dir> <key> <n>}: increments the 8-byte counter at key n times by read and
 *       compare-and-set, retrying on conflict; prints {@code DONE <conflicts>};</li>
 *   <li>{@code race <dir> <prefix> <n> <id>}: for i in 0..n-1 tries putIfAbsent(prefix + i, id);
 *       prints {@code WON i} or {@code LOST i} for each.</li>
 * </ul>
 */
public final class FileStoreWorker {
    private FileStoreWorker() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (FileBootstrapStore store = new FileBootstrapStore(Path.of(args[1]))) {
            out.println("READY");
            if (!"GO".equals(in.readLine())) {
                throw new IllegalStateException("expected GO on standard input");
            }
            switch (args[0]) {
                case "cas" -> {
                    String key = args[2];
                    int n = Integer.parseInt(args[3]);
                    long conflicts = 0;
                    for (int done = 0; done < n; ) {
                        Entry e = store.get(key).orElseThrow();
                        long v = ByteBuffer.wrap(e.value()).getLong();
                        if (store.compareAndSet(key, e.version(), ByteBuffer.allocate(8).putLong(v + 1).array()).isPresent()) {
                            done++;
                        } else {
                            conflicts++;
                        }
                    }
                    out.println("DONE " + conflicts);
                }
                case "race" -> {
                    int n = Integer.parseInt(args[3]);
                    byte[] id = args[4].getBytes(StandardCharsets.UTF_8);
                    for (int i = 0; i < n; i++) {
                        out.println((store.putIfAbsent(args[2] + i, id).isPresent() ? "WON " : "LOST ") + i);
                    }
                }
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
        }
    }
}
