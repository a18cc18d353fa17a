package dev.meshjoin.core.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.meshjoin.api.ConfigurationException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Echo endpoints are real HTTP servers on loopback that answer whatever the test tells them to. */
class PublicAddressDetectorIT {
    private final List<HttpServer> servers = new ArrayList<>();

    private URI echo(String answer) throws IOException {
        return echo(200, answer);
    }

    private URI echo(int status, String answer) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext("/ip", ex -> {
            byte[] body = answer.getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        s.start();
        servers.add(s);
        return URI.create("http://127.0.0.1:" + s.getAddress().getPort() + "/ip");
    }

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    private PublicAddressDetector.Builder base() {
        return PublicAddressDetector.builder().useInterfaces(false);
    }

    @Test
    void agreeingEchoesDecide() throws IOException {
        Optional<DetectedAddress> d = base().echoEndpoints(List.of(echo("93.184.216.34\n"), echo("93.184.216.34"))).build().detect();
        assertThat(d).map(DetectedAddress::source).contains(DetectedAddress.Source.HTTP_ECHO);
        assertThat(d.get().address().getHostAddress()).isEqualTo("93.184.216.34");
    }

    @Test
    void aLyingEchoIsOutvoted() throws IOException {
        Optional<DetectedAddress> d = base().echoEndpoints(List.of(echo("93.184.216.34"), echo("172.17.0.2"),
                echo("93.184.216.34"), echo("<html>hello</html>"))).build().detect();
        assertThat(d.get().address().getHostAddress()).isEqualTo("93.184.216.34");
        assertThat(d.get().notes()).anyMatch(n -> n.contains("container bridges"))
                .anyMatch(n -> n.contains("not an IP address"));
    }

    @Test
    void disagreeingEchoesDecideNothing() throws IOException {
        Optional<DetectedAddress> d = base().echoEndpoints(List.of(echo("93.184.216.34"), echo("8.8.4.4"))).build().detect();
        assertThat(d).isEmpty();
    }

    @Test
    void privateGarbageErrorsAndOversizedAnswersAreRefused() throws IOException {
        Optional<DetectedAddress> d = base().quorum(1).echoEndpoints(List.of(echo("10.0.0.5"), echo("not-an-ip"),
                echo(500, "93.184.216.34"), echo("9".repeat(1000)))).build().detect();
        assertThat(d).isEmpty();
    }

    @Test
    void theLighthousesObservationComesBeforeEchoesAndAPrivateOneIsSkipped() throws IOException {
        URI e1 = echo("8.8.4.4");
        URI e2 = echo("8.8.4.4");
        DetectedAddress d = base().echoEndpoints(List.of(e1, e2))
                .build().detect(Optional.of("93.184.216.34:51234")).orElseThrow();
        assertThat(d.source()).isEqualTo(DetectedAddress.Source.OBSERVED_BY_LIGHTHOUSE);
        assertThat(d.address().getHostAddress()).isEqualTo("93.184.216.34");

        DetectedAddress behindNat = base().echoEndpoints(List.of(e1, e2))
                .build().detect(Optional.of("100.64.3.4:1000")).orElseThrow();
        assertThat(behindNat.source()).isEqualTo(DetectedAddress.Source.HTTP_ECHO);
        assertThat(behindNat.notes().get(0)).contains("carrier-grade NAT");
    }

    @Test
    void theConfiguredAddressWinsButMustBePublicUnlessAllowed() {
        assertThat(base().configured("93.184.216.34").build().detect(Optional.of("8.8.8.8")))
                .map(DetectedAddress::source).contains(DetectedAddress.Source.CONFIGURED);
        assertThatThrownBy(() -> base().configured("192.0.2.10").build().detect())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("documentation");
        assertThat(base().configured("192.0.2.10").allow("192.0.2.0/24").build().detect())
                .map(d -> d.address().getHostAddress()).contains("192.0.2.10");
    }

    @Test
    void localInterfacesComeLastAndPrivateOnesAreSkipped() {
        DetectedAddress d = PublicAddressDetector.builder().interfaces(() -> List.of(
                AddressClass.parseLiteral("127.0.0.1"), AddressClass.parseLiteral("172.17.0.3"),
                AddressClass.parseLiteral("93.184.216.34"))).build().detect().orElseThrow();
        assertThat(d.source()).isEqualTo(DetectedAddress.Source.LOCAL_INTERFACE);
        assertThat(d.notes()).hasSize(4);
    }
}
