package dev.meshjoin.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The TLS-less clients: plain HTTP works as before, an https:// address fails at once saying why. */
class PlainHttpTest {
    private HttpServer server;
    private String authority;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            byte[] body = ("got " + ex.getRequestMethod() + " " + ex.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        authority = "127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void plainHttpIsAnsweredAndHttpsIsRefusedNamingTheReason() throws Exception {
        HttpClient client = PlainHttp.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://" + authority + "/join"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("got POST /join");
        assertThat(client.version()).isEqualTo(HttpClient.Version.HTTP_1_1);

        assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(URI.create("https://" + authority + "/join")).build(),
                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class).hasMessageContaining("plain HTTP only");
        HttpResponse<String> again = client.send(HttpRequest.newBuilder(URI.create("http://" + authority + "/after"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.body()).isEqualTo("got GET /after");
    }
}
