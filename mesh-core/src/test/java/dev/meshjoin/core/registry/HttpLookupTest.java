package dev.meshjoin.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.registry.ServiceInstance;
import dev.meshjoin.core.lifecycle.HttpStateChannel;
import dev.meshjoin.core.lifecycle.HttpStateServers;
import dev.meshjoin.core.lifecycle.StateHandler;
import dev.meshjoin.core.lifecycle.StateServerFactory;
import dev.meshjoin.core.state.Beat;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/services} on the state server and its client, over loopback HTTP. */
class HttpLookupTest {
    private final List<String> asked = new ArrayList<>();
    private final StateHandler handler = new StateHandler() {
        @Override
        public Answer state(Ipv4Address caller, String ifNoneMatch, Beat beat) {
            throw new dev.meshjoin.api.JoinRefusedException(dev.meshjoin.api.RefusalReason.REVOKED, "node a was revoked");
        }

        @Override
        public String renew(Ipv4Address caller, byte[] publicKey) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<RegistryWire.Found> services(Ipv4Address caller, String name) {
            asked.add(caller + " " + name);
            return List.of(new RegistryWire.Found("a", "10.42.0.2", ServiceInstance.of("echo", 8080), 0.5, 1200));
        }
    };

    @Test
    void aLookupIsAnsweredWithTheInstancesAndMalformedQueriesAreRefused() throws Exception {
        try (StateServerFactory.StateServer server = new HttpStateServers().start(new Endpoint("127.0.0.1", freePort()), handler)) {
            HttpStateChannel channel = new HttpStateChannel();
            List<RegistryWire.Found> found = channel.services(server.endpoint(), Ipv4Address.parse("127.0.0.1"), "echo");
            assertThat(found).singleElement().satisfies(f -> {
                assertThat(f.node()).isEqualTo("a");
                assertThat(f.instance()).isEqualTo(ServiceInstance.of("echo", 8080));
                assertThat(f.ageMillis()).isEqualTo(1200);
            });
            assertThat(channel.services(server.endpoint(), Ipv4Address.parse("127.0.0.1"), null)).hasSize(1);
            assertThat(asked).containsExactly("127.0.0.1 echo", "127.0.0.1 null");

            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://127.0.0.1:" + server.endpoint().port() + "/v1/services";
            for (String q : List.of("?name=Echo", "?name=echo&x=1", "?other=echo", "?name=", "?name=%65cho")) {
                HttpResponse<String> r;
                try {
                    r = http.send(HttpRequest.newBuilder(URI.create(base + q)).build(), HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException e) {
                    throw new AssertionError("query " + q + ": " + e, e);
                }
                assertThat(r.statusCode()).as(q).isEqualTo(400);
                assertThat(r.body()).contains("bad-request");
            }
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "?name=echo"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(asked).as("refused before the handler").hasSize(2);
        }
    }

    static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aRefusalReachesTheCallerAsARefusalNotADroppedConnection() throws Exception {
        try (StateServerFactory.StateServer server = new HttpStateServers().start(new Endpoint("127.0.0.1", freePort()), handler)) {
            assertThatThrownBy(() -> new HttpStateChannel().poll(server.endpoint(), Ipv4Address.parse("127.0.0.1"), null,
                    new Beat("a", "fp", null, null, false)))
                    .isInstanceOfSatisfying(dev.meshjoin.api.JoinRefusedException.class,
                            e -> assertThat(e.reason()).isEqualTo(dev.meshjoin.api.RefusalReason.REVOKED))
                    .hasMessageContaining("node a was revoked");
        }
    }

    @Test
    void anUnreachableLighthouseIsAMeshExceptionNamingIt() {
        HttpStateChannel channel = new HttpStateChannel(java.time.Duration.ofMillis(500));
        assertThatThrownBy(() -> channel.services(new Endpoint("127.0.0.1", 1), Ipv4Address.parse("127.0.0.1"), "echo"))
                .isInstanceOf(MeshException.class).hasMessageContaining("127.0.0.1:1");
    }
}
