package dev.meshjoin.core.signing;

import dev.meshjoin.api.net.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Plain HTTP/1.1 by hand, from a chosen local address, and a loopback proxy that records what crosses it. */
final class RawHttp {
    private RawHttp() {
    }

    /** The answer's status code and body. */
    record Answer(int status, String body) {
    }

    static Answer post(Endpoint to, String localAddress, String path, byte[] body) {
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + to.host() + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        return exchange(to, localAddress, concat(head, body));
    }

    /** Sends raw bytes (a whole request) and reads the answer until the server closes. */
    static Answer exchange(Endpoint to, String localAddress, byte[] request) {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            s.connect(new InetSocketAddress(to.host(), to.port()), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            String text = new String(readAll(s.getInputStream()), StandardCharsets.UTF_8);
            int sp = text.indexOf(' ');
            int status = Integer.parseInt(text.substring(sp + 1, sp + 4));
            int bodyAt = text.indexOf("\r\n\r\n");
            return new Answer(status, bodyAt < 0 ? "" : text.substring(bodyAt + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        try {
            for (int n; (n = in.read(b)) > 0; ) {
                buf.write(b, 0, n);
                if (complete(buf.toByteArray())) {
                    break;
                }
            }
        } catch (java.net.SocketException e) {
            // the server may reset after answering an oversized request; keep what arrived
        }
        return buf.toByteArray();
    }

    /** True when a full response with Content-Length has arrived (keep-alive servers do not close). */
    private static boolean complete(byte[] bytes) {
        String t = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = t.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        for (String line : t.substring(0, end).split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                return bytes.length >= end + 4 + Integer.parseInt(line.substring(15).strip());
            }
        }
        return false;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A TCP proxy on loopback that records every byte from clients to the target, per connection. */
    static final class RecordingProxy implements AutoCloseable {
        private final ServerSocket listener;
        private final ExecutorService pool = Executors.newCachedThreadPool();
        private final ByteArrayOutputStream fromClients = new ByteArrayOutputStream();
        private final java.util.List<byte[]> requests = new java.util.concurrent.CopyOnWriteArrayList<>();

        RecordingProxy(Endpoint target) throws IOException {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            pool.submit(() -> {
                while (!listener.isClosed()) {
                    Socket client;
                    try {
                        client = listener.accept();
                    } catch (IOException e) {
                        return null;
                    }
                    Socket upstream = new Socket(target.host(), target.port());
                    ByteArrayOutputStream conn = new ByteArrayOutputStream();
                    pool.submit(() -> pipe(client, upstream, conn, true));
                    pool.submit(() -> pipe(upstream, client, null, false));
                }
                return null;
            });
        }

        Endpoint endpoint() {
            return new Endpoint("127.0.0.1", listener.getLocalPort());
        }

        private Void pipe(Socket from, Socket to, ByteArrayOutputStream record, boolean fromClient) {
            byte[] b = new byte[8192];
            try (from; to) {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(b)) > 0; ) {
                    if (fromClient) {
                        synchronized (fromClients) {
                            fromClients.write(b, 0, n);
                        }
                        record.write(b, 0, n);
                        requests.add(java.util.Arrays.copyOf(b, n));
                    }
                    out.write(b, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // connection closed
            }
            return null;
        }

        /** Everything clients sent, in arrival order. */
        byte[] clientBytes() {
            synchronized (fromClients) {
                return fromClients.toByteArray();
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            pool.shutdownNow();
        }
    }
}
