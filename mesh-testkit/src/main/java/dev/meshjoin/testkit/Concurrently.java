package dev.meshjoin.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Runs tasks released at the same instant, one thread each, for concurrency tests: exactly one
 * founder among 32, no lost compare-and-set among 8 threads.
 *
 * <pre>{@code
 * List<Optional<Entry>> won = Concurrently.run(16, i -> () -> store.putIfAbsent("k", value(i)));
 * }</pre>
 */
public final class Concurrently {
    private Concurrently() {
    }

    /** Runs {@code n} tasks started together and returns their results in task order. */
    public static <T> List<T> run(int n, IntFunction<Callable<T>> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Callable<T> c = task.apply(i);
                futures.add(pool.submit(() -> {
                    start.await();
                    return c.call();
                }));
            }
            start.countDown();
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get(120, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
