package dev.meshjoin.cli;

import com.sun.net.httpserver.HttpServer;
import dev.meshjoin.MeshJoin;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.micrometer.MeshNodeMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * {@code meshctl up --metrics HOST:PORT}: the node's meters ({@link MeshNodeMetrics}) and the JVM's,
 * as Prometheus text at {@code http://HOST:PORT/metrics}. Port 0 picks a free port; the line
 * {@code metrics at http://HOST:PORT/metrics} says which. Nothing but GET /metrics is served.
 */
final class MetricsEndpoint implements AutoCloseable {
    static final String FLAG = "metrics";
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MeshNodeMetrics metrics;
    private final HttpServer server;

    private MetricsEndpoint(InetSocketAddress at, String node) throws IOException {
        metrics = new MeshNodeMetrics(Tags.of("node", node));
        metrics.bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        server = HttpServer.create(at, 16);
        server.createContext("/", exchange -> {
            try (exchange) {
                boolean ok = "GET".equals(exchange.getRequestMethod()) && "/metrics".equals(exchange.getRequestURI().getPath());
                byte[] body = (ok ? registry.scrape() : "meshctl serves GET /metrics only\n").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
                exchange.sendResponseHeaders(ok ? 200 : 404, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "meshctl-metrics");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    static Flags declare(Flags flags) {
        return flags.string(FLAG, "serve the node's metrics as Prometheus text at http://HOST:PORT/metrics,"
                + " such as 127.0.0.1:9464 (port 0: any free port)");
    }

    /**
     * Starts the endpoint when {@code --metrics} is given and wires its meters into {@code builder}:
     * state changes, renewals, join decisions and every store request.
     *
     * @return null without the flag
     */
    static MetricsEndpoint start(Flags.Parsed p, MeshJoin.Builder builder, String node, java.io.PrintStream out) {
        String flag = p.get(FLAG);
        if (flag == null || flag.isBlank()) {
            return null;
        }
        InetSocketAddress at = address(flag.strip());
        MetricsEndpoint m;
        try {
            m = new MetricsEndpoint(at, node);
        } catch (IOException | RuntimeException e) {
            throw new CliException("up: cannot serve metrics on " + at + " (" + Meshctl.oneLine(e.getMessage())
                    + "); pick another -metrics address", ExitStatus.ERROR);
        }
        builder.listener(m.metrics).events(m.metrics).storeDecorator(m.metrics::timed);
        UpProgress.serving(out, "metrics", "http://" + at.getHostString() + ":" + m.server.getAddress().getPort() + "/metrics");
        return m;
    }

    /** {@code HOST:PORT} with a port of 0..65535 (0: any free one); a usage error otherwise. */
    static InetSocketAddress address(String flag) {
        int colon = flag.lastIndexOf(':');
        String host = colon > 0 ? flag.substring(0, colon) : "";
        String port = colon > 0 ? flag.substring(colon + 1) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)
                || Integer.parseInt(port) > 65535) {
            throw new CliException("up: -metrics takes HOST:PORT, such as 127.0.0.1:9464; got '" + Meshctl.oneLine(flag)
                    + "'", ExitStatus.USAGE);
        }
        return new InetSocketAddress(host, Integer.parseInt(port));
    }

    /** The node the gauges read. */
    void watch(MeshNode node) {
        metrics.watch(node);
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }
}
