package dev.meshjoin.core.internal;

import dev.meshjoin.api.MeshException;
import java.net.http.HttpClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * An {@link HttpClient} built on a thread of its own as soon as its owner is made, and waited for
 * at its first use. The first client of a JVM costs some 50 ms of class loading even without TLS
 * ({@link PlainHttp}), and 100-150 ms more with the JDK's default SSL context; a joiner that builds
 * its clients this way spends that time while it reads the store, not before.
 */
public final class BackgroundHttpClient {
    private final CompletableFuture<HttpClient> client = new CompletableFuture<>();

    private BackgroundHttpClient(Supplier<HttpClient> build, String name) {
        Runnable task = () -> {
            try {
                client.complete(build.get());
            } catch (Throwable e) {
                client.completeExceptionally(e);
            }
        };
        try {
            Thread t = new Thread(task, "meshjoin-http-" + name);
            t.setDaemon(true);
            t.start();
        } catch (OutOfMemoryError | SecurityException e) {
            task.run(); // no thread to spare: build it here
        }
    }

    /** Starts building a client with {@code build}; {@code name} names the thread. */
    public static BackgroundHttpClient building(Supplier<HttpClient> build, String name) {
        return new BackgroundHttpClient(build, name);
    }

    /** The client, once built: waits for it the first time. */
    public HttpClient get() {
        try {
            return client.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new MeshException("cannot make an HTTP client: " + cause, cause);
        }
    }
}
