package dev.meshjoin.testkit.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bytes pass unchanged through TCP → Unix socket → TCP, both ways, with half-closes passed on. */
class SocketForwarderIT {
    @TempDir
    Path tmp;

    /** Echoes everything it reads, then closes its side when the client has closed its own. */
    private static ServerSocket echoServer() throws Exception {
        ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                    s.shutdownOutput();
                } catch (Exception e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    @Test
    void aMegabyteRoundTripsThroughTwoForwardersAndEndOfStreamArrives() throws Exception {
        try (ServerSocket echo = echoServer();
             SocketForwarder root = SocketForwarder.start(SocketForwarder.unix(tmp.resolve("s.sock")),
                     SocketForwarder.tcp(echo.getLocalPort()));
             SocketForwarder inside = SocketForwarder.start(new InetSocketAddress("127.0.0.1", 0),
                     SocketForwarder.unix(tmp.resolve("s.sock")))) {
            int port = ((InetSocketAddress) inside.address()).getPort();
            byte[] data = new byte[1024 * 1024];
            new Random(5).nextBytes(data);
            try (Socket client = new Socket("127.0.0.1", port)) {
                OutputStream out = client.getOutputStream();
                InputStream in = client.getInputStream();
                CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
                    try {
                        return in.readAllBytes(); // ends only when the echo's close came through
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                out.write(data);
                client.shutdownOutput();
                assertThat(back.get(30, TimeUnit.SECONDS)).isEqualTo(data);
            }
            assertThat(inside.connections()).isEqualTo(1);
            assertThat(root.connections()).isEqualTo(1);
        }
    }

    @Test
    void aDeadTargetClosesTheClientsConnectionAndTheForwarderKeepsServing() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        try (SocketForwarder f = SocketForwarder.start(new InetSocketAddress("127.0.0.1", 0), SocketForwarder.tcp(dead))) {
            int port = ((InetSocketAddress) f.address()).getPort();
            for (int i = 0; i < 2; i++) {
                try (Socket client = new Socket("127.0.0.1", port)) {
                    client.setSoTimeout(5000);
                    assertThat(client.getInputStream().read()).isEqualTo(-1);
                }
            }
            assertThat(f.connections()).isEqualTo(2);
        }
    }

    @Test
    void parsesBothAddressForms() {
        assertThat(SocketForwarder.parse("tcp:127.0.0.1:8787")).isEqualTo(new InetSocketAddress("127.0.0.1", 8787));
        assertThat(SocketForwarder.parse("unix:/tmp/x.sock")).isEqualTo(SocketForwarder.unix(Path.of("/tmp/x.sock")));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SocketForwarder.parse("udp:1"))
                .hasMessageContaining("tcp:HOST:PORT or unix:PATH");
    }
}
