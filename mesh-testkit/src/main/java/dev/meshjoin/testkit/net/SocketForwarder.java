package dev.meshjoin.testkit.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Forwards TCP or Unix-domain stream connections, byte for byte, to another address. Its use: a
 * process in a network namespace cannot reach the root namespace's loopback, but every namespace
 * shares the file system, so a forwarder listening on {@code 127.0.0.1:PORT} inside a namespace
 * and connecting to a Unix socket, paired with one in the root namespace that listens on that
 * socket and connects to a server's loopback port, lets the namespace reach the server on its own
 * {@code 127.0.0.1:PORT}. Any HTTP store served on loopback (wrangler dev, etcd, the local KV
 * server) is reached that way.
 *
 * <pre>{@code
 * try (SocketForwarder root = SocketForwarder.start(SocketForwarder.unix(sock), SocketForwarder.tcp(8787))) {
 *     host.startJvm(SocketForwarder.class.getName(), List.of("tcp:127.0.0.1:8787", "unix:" + sock), log);
 * }
 * }</pre>
 *
 * <p>From a command line: {@code java dev.meshjoin.testkit.net.SocketForwarder LISTEN TARGET}, each
 * {@code tcp:HOST:PORT} or {@code unix:PATH}; it prints {@code LISTENING <address>} once bound and
 * runs until killed.
 */
public final class SocketForwarder implements AutoCloseable {
    private final ServerSocketChannel server;
    private final SocketAddress target;
    private final Thread acceptor;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();
    private volatile boolean closed;

    private SocketForwarder(ServerSocketChannel server, SocketAddress target) {
        this.server = server;
        this.target = target;
        this.acceptor = new Thread(this::accept, "forwarder-accept");
        this.acceptor.setDaemon(true);
    }

    /** Binds {@code listen} and forwards every connection to {@code target}. */
    public static SocketForwarder start(SocketAddress listen, SocketAddress target) {
        try {
            ServerSocketChannel server;
            if (listen instanceof UnixDomainSocketAddress u) {
                Files.deleteIfExists(u.getPath()); // a socket file left by a killed run
                server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            } else {
                server = ServerSocketChannel.open();
                server.socket().setReuseAddress(true);
            }
            server.bind(listen);
            SocketForwarder f = new SocketForwarder(server, target);
            f.acceptor.start();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + listen + ": " + e.getMessage(), e);
        }
    }

    /** A loopback TCP address. */
    public static InetSocketAddress tcp(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** A Unix-domain socket address. */
    public static UnixDomainSocketAddress unix(Path path) {
        return UnixDomainSocketAddress.of(path);
    }

    /** Parses {@code tcp:HOST:PORT} or {@code unix:PATH}. */
    public static SocketAddress parse(String text) {
        if (text.startsWith("unix:")) {
            return unix(Path.of(text.substring(5)));
        }
        if (text.startsWith("tcp:")) {
            String hp = text.substring(4);
            int colon = hp.lastIndexOf(':');
            if (colon > 0) {
                return new InetSocketAddress(hp.substring(0, colon), Integer.parseInt(hp.substring(colon + 1)));
            }
        }
        throw new IllegalArgumentException("expected tcp:HOST:PORT or unix:PATH, got '" + text + "'");
    }

    /** Where this forwarder listens (with the real port when bound to port 0). */
    public SocketAddress address() {
        try {
            return server.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Connections accepted so far. */
    public long connections() {
        return connections.get();
    }

    private void accept() {
        while (!closed) {
            SocketChannel in;
            try {
                in = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            connections.incrementAndGet();
            SocketChannel out;
            try {
                out = target instanceof UnixDomainSocketAddress ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
                out.connect(target);
            } catch (IOException e) {
                closeQuietly(in); // the client sees the refusal as a closed connection
                continue;
            }
            open.add(in);
            open.add(out);
            java.util.concurrent.atomic.AtomicInteger finished = new java.util.concurrent.atomic.AtomicInteger();
            pump(in, out, finished);
            pump(out, in, finished);
        }
    }

    /** Copies one direction; the connection is closed once both directions ended, or on an error. */
    private void pump(SocketChannel from, SocketChannel to, java.util.concurrent.atomic.AtomicInteger finished) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
                to.shutdownOutput(); // pass the half-close on
                if (finished.incrementAndGet() == 2) {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            } catch (IOException e) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "forwarder-pump");
        t.setDaemon(true);
        t.start();
    }

    private void closeQuietly(SocketChannel c) {
        open.remove(c);
        try {
            c.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // nothing to do
        }
        open.forEach(this::closeQuietly);
        try {
            SocketAddress a = server.getLocalAddress();
            if (a instanceof UnixDomainSocketAddress u) {
                Files.deleteIfExists(u.getPath());
            }
        } catch (IOException ignored) {
            // the socket file goes with the temporary directory
        }
    }

    /** Runs a forwarder until the process is killed. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: SocketForwarder LISTEN TARGET   (each tcp:HOST:PORT or unix:PATH)");
            System.exit(2);
        }
        SocketForwarder f = start(parse(args[0]), parse(args[1]));
        System.out.println("LISTENING " + f.address());
        System.out.flush();
        Thread.currentThread().join();
    }
}
