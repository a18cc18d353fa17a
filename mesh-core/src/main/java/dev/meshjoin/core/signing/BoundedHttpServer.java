package dev.meshjoin.core.signing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signing service's HTTP/1.1 server: one selector thread reads every request completely,
 * without blocking, before a worker thread sees it, so a slow or silent client holds a little
 * memory and never a thread. The JDK's {@code com.sun.net.httpserver} reads request headers on its
 * worker threads with no deadline: eight connections sending a byte now and then held all eight
 * threads, and every honest hello timed out for as long as they stayed open.
 *
 * <p>Limits, each refused with an answer where one can still be sent:
 * <ul>
 *   <li>a whole request (head and body) must arrive within the read timeout (408, closed);</li>
 *   <li>at most {@code perSource} open connections per source prefix and {@code maxConnections}
 *       in all (429 and closed at once);</li>
 *   <li>a head over 8 KiB (431), a body over the limit (413, before it is read further), a
 *       malformed head (400);</li>
 *   <li>an answer must be taken within the write timeout; every connection carries one request
 *       and is closed after the answer ({@code Connection: close}).</li>
 * </ul>
 */
final class BoundedHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BoundedHttpServer.class);
    static final int MAX_HEAD_BYTES = 8 * 1024;

    /** One complete request. {@code headers} have lower-case names. */
    record Request(String method, String path, Map<String, String> headers, byte[] body, InetAddress source) {
    }

    /** An answer; {@code retryAfter} is sent as {@code Retry-After} when positive. */
    record Response(int status, byte[] body, long retryAfter) {
        static Response of(int status, byte[] body) {
            return new Response(status, body, 0);
        }
    }

    /** What the server asks of its user. */
    interface Handler {
        /** Answers a complete request, on a worker thread. */
        Response handle(Request request);

        /**
         * The answer to a request the server refused itself ({@code too-large}, {@code bad-request},
         * {@code read-timeout}, {@code too-many-connections}, {@code busy}), on the selector thread:
         * it must not block.
         */
        Response refused(InetAddress source, int status, String reason, String message);
    }

    /** The server's limits. */
    record Limits(int maxBodyBytes, Duration readTimeout, Duration writeTimeout, int perSource, int maxConnections) {
    }

    private final Limits limits;
    private final Handler handler;
    private final ExecutorService workers;
    private final Selector selector;
    private final ServerSocketChannel listener;
    private final Thread loop;
    private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> openPerSource = new HashMap<>();
    private int open;
    private volatile boolean closed;

    BoundedHttpServer(InetSocketAddress bindTo, Limits limits, Handler handler, ExecutorService workers)
            throws IOException {
        this.limits = limits;
        this.handler = handler;
        this.workers = workers;
        this.selector = Selector.open();
        this.listener = ServerSocketChannel.open();
        try {
            listener.bind(bindTo, 1024);
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            listener.close();
            selector.close();
            throw e;
        }
        this.loop = new Thread(this::run, "meshjoin-signing-io-" + port());
        loop.setDaemon(true);
        loop.start();
    }

    int port() {
        return ((InetSocketAddress) listenerAddress()).getPort();
    }

    private java.net.SocketAddress listenerAddress() {
        try {
            return listener.getLocalAddress();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Open connections now (for tests and metrics). */
    synchronized int openConnections() {
        return open;
    }

    private void run() {
        while (!closed) {
            try {
                selector.select(100);
                for (Runnable r; (r = pending.poll()) != null; ) {
                    r.run();
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else if (key.isReadable()) {
                        ((Connection) key.attachment()).read();
                    } else if (key.isWritable()) {
                        ((Connection) key.attachment()).write();
                    }
                }
                long now = System.nanoTime();
                for (SelectionKey key : selector.keys()) {
                    if (key.attachment() instanceof Connection c && now - c.deadline > 0) {
                        c.expired();
                    }
                }
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.warn("the signing service's connection loop failed once: {}", e.toString());
            }
        }
    }

    private void accept() throws IOException {
        for (SocketChannel ch; (ch = listener.accept()) != null; ) {
            InetAddress source = ((InetSocketAddress) ch.getRemoteAddress()).getAddress();
            String prefix = SourcePrefix.of(source);
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Connection c = new Connection(ch, source, prefix);
            boolean full;
            synchronized (this) {
                int mine = openPerSource.getOrDefault(prefix, 0);
                full = mine >= limits.perSource() || open >= limits.maxConnections();
                open++;
                openPerSource.merge(prefix, 1, Integer::sum);
            }
            c.key = ch.register(selector, full ? 0 : SelectionKey.OP_READ, c);
            if (full) {
                c.answer(handler.refused(source, 429, "too-many-connections", "too many open connections from "
                        + prefix + "; close some and retry"));
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        selector.wakeup();
        try {
            loop.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Connection c) {
                c.close();
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** One connection: reading its request, waiting for a worker, or writing the answer. */
    private final class Connection {
        private final SocketChannel channel;
        private final InetAddress source;
        private final String prefix;
        private SelectionKey key;
        private ByteBuffer in = ByteBuffer.allocate(1024);
        private ByteBuffer out;
        private long deadline;
        private boolean released;
        private boolean handled;

        Connection(SocketChannel channel, InetAddress source, String prefix) {
            this.channel = channel;
            this.source = source;
            this.prefix = prefix;
            this.deadline = System.nanoTime() + limits.readTimeout().toNanos();
        }

        void read() {
            int n;
            try {
                if (!in.hasRemaining()) {
                    int cap = Math.min(in.capacity() * 2, MAX_HEAD_BYTES + limits.maxBodyBytes() + 64);
                    if (cap <= in.capacity()) {
                        refuse(413, "too-large", "the request body exceeds " + limits.maxBodyBytes() + " bytes");
                        return;
                    }
                    ByteBuffer bigger = ByteBuffer.allocate(cap);
                    in.flip();
                    bigger.put(in);
                    in = bigger;
                }
                n = channel.read(in);
            } catch (IOException e) {
                close();
                return;
            }
            if (n < 0) {
                close();
                return;
            }
            HttpRequestParser.Result r = HttpRequestParser.parse(in.array(), in.position(), limits.maxBodyBytes());
            switch (r.state()) {
                case INCOMPLETE -> { }
                case TOO_LARGE -> refuse(413, "too-large", "the request body exceeds " + limits.maxBodyBytes() + " bytes");
                case HEAD_TOO_LARGE -> refuse(431, "bad-request", "the request head exceeds " + MAX_HEAD_BYTES + " bytes");
                case MALFORMED -> refuse(400, "bad-request", r.problem());
                case COMPLETE -> dispatch(new Request(r.method(), r.path(), r.headers(), r.body(), source));
            }
        }

        private void refuse(int status, String reason, String message) {
            answer(handler.refused(source, status, reason, message));
        }

        private void dispatch(Request request) {
            handled = true;
            key.interestOps(0);
            // A worker has it: the deadline now only guards against a worker that never answers.
            deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            try {
                workers.execute(() -> {
                    Response response;
                    try {
                        response = handler.handle(request);
                    } catch (RuntimeException e) {
                        LOG.error("the signing service failed on a request from {}", source.getHostAddress(), e);
                        response = Response.of(500, Wire.write(new Wire.Error(Wire.VERSION, "internal",
                                "the signing service failed; its log says why")));
                    }
                    Response done = response;
                    pending.add(() -> answer(done));
                    selector.wakeup();
                });
            } catch (RejectedExecutionException e) {
                answer(handler.refused(source, 503, "busy", "the signing service is busy; retry in a few seconds"));
            }
        }

        void answer(Response response) {
            if (!channel.isOpen()) {
                return;
            }
            StringBuilder head = new StringBuilder("HTTP/1.1 ").append(response.status()).append(' ')
                    .append(HttpRequestParser.reasonPhrase(response.status())).append("\r\n")
                    .append("Content-Type: application/json\r\nCache-Control: no-store\r\n")
                    .append("Content-Length: ").append(response.body().length).append("\r\nConnection: close\r\n");
            if (response.retryAfter() > 0) {
                head.append("Retry-After: ").append(response.retryAfter()).append("\r\n");
            }
            byte[] h = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
            out = ByteBuffer.allocate(h.length + response.body().length).put(h).put(response.body()).flip();
            deadline = System.nanoTime() + limits.writeTimeout().toNanos();
            try {
                key.interestOps(SelectionKey.OP_WRITE);
            } catch (RuntimeException e) {
                close();
                return;
            }
            write();
        }

        void write() {
            try {
                channel.write(out);
                if (!out.hasRemaining()) {
                    // Half-close so the client reads the whole answer even if it sent more than we read.
                    channel.shutdownOutput();
                    close();
                }
            } catch (IOException e) {
                close();
            }
        }

        void expired() {
            if (out == null && !handled) {
                refuse(408, "read-timeout", "the request did not arrive within " + limits.readTimeout().toMillis()
                        + " ms");
                deadline = System.nanoTime() + limits.writeTimeout().toNanos();
            } else {
                close();
            }
        }

        void close() {
            if (key != null) {
                key.cancel();
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do
            }
            synchronized (BoundedHttpServer.this) {
                if (!released) {
                    released = true;
                    open--;
                    openPerSource.computeIfPresent(prefix, (k, v) -> v <= 1 ? null : v - 1);
                }
            }
        }
    }
}
