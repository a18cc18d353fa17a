package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.MeshJoin;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code up --metrics}: the address flag, and the Prometheus text served on loopback before the node joins. */
class MetricsEndpointTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void servesPrometheusTextOnTheAddressItPrintsAndNothingElse() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Flags.Parsed p = UpCommand.flags().parse(List.of("-metrics", "127.0.0.1:0"));
        try (MetricsEndpoint m = MetricsEndpoint.start(p, MeshJoin.builder(), "node-1",
                new PrintStream(out, true, StandardCharsets.UTF_8))) {
            Matcher at = Pattern.compile("metrics at (http://127\\.0\\.0\\.1:\\d+/metrics)").matcher(out.toString(StandardCharsets.UTF_8));
            assertThat(at.find()).as(out.toString(StandardCharsets.UTF_8)).isTrue();
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(at.group(1))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            assertThat(r.body())
                    .contains("meshjoin_node_state{node=\"node-1\",state=\"NEW\"} 1.0")
                    .contains("meshjoin_node_state{node=\"node-1\",state=\"READY\"} 0.0")
                    .contains("meshjoin_certificate_expires_in_seconds{node=\"node-1\"} NaN")
                    .contains("meshjoin_certificate_renewals_total{node=\"node-1\"} 0.0")
                    .contains("meshjoin_overlay_restarts_total{node=\"node-1\"} 0.0")
                    .contains("meshjoin_lighthouse_admissions_total{node=\"node-1\"} 0.0")
                    .contains("meshjoin_lighthouse_refusals_total{node=\"node-1\",reason=\"bad-credential\"} 0.0")
                    .contains("meshjoin_lighthouse_serving{node=\"node-1\"} 0.0")
                    .contains("jvm_memory_used_bytes");
            HttpResponse<String> other = HTTP.send(HttpRequest.newBuilder(URI.create(at.group(1).replace("/metrics", "/"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void withoutTheFlagNothingIsServed() {
        Flags.Parsed p = UpCommand.flags().parse(List.of());
        assertThat(MetricsEndpoint.start(p, MeshJoin.builder(), "n", System.out)).isNull();
    }

    @Test
    void aMalformedAddressIsAUsageErrorThatShowsTheForm() {
        for (String bad : List.of("9464", "127.0.0.1", ":9464", "127.0.0.1:http", "127.0.0.1:70000")) {
            assertThatThrownBy(() -> MetricsEndpoint.address(bad)).as(bad).isInstanceOf(CliException.class)
                    .hasMessageContaining("127.0.0.1:9464")
                    .satisfies(e -> assertThat(((CliException) e).status()).isEqualTo(ExitStatus.USAGE));
        }
        assertThat(MetricsEndpoint.address("[::1]:0").getPort()).isZero();
    }

    @Test
    void anAddressInUseIsRefusedWithWhatToDo() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Flags.Parsed p = UpCommand.flags().parse(List.of("--metrics", "127.0.0.1:" + taken.getLocalPort()));
            assertThatThrownBy(() -> MetricsEndpoint.start(p, MeshJoin.builder(), "n", System.out))
                    .isInstanceOf(CliException.class).hasMessageContaining("pick another -metrics address");
        }
    }
}
