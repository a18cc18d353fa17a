package dev.meshjoin.nebula.overlay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one output stream of the Nebula daemon until it closes, on its own thread, and turns
 * every line into a {@link NebulaLogEvent}: logged to SLF4J at the daemon's own level (logger
 * {@code dev.meshjoin.nebula.daemon}) and handed to the driver, which watches for readiness and
 * errors. Reading continuously matters: a daemon whose pipe is never read blocks once it fills.
 */
final class NebulaLogPump implements Runnable {
    private static final Logger DAEMON = LoggerFactory.getLogger("dev.meshjoin.nebula.daemon");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longer lines are cut before parsing and logging: a runaway line must not exhaust memory. */
    static final int MAX_LINE = 64 * 1024;

    private final String node;
    private final InputStream in;
    private final Consumer<NebulaLogEvent> sink;

    NebulaLogPump(String node, InputStream in, Consumer<NebulaLogEvent> sink) {
        this.node = node;
        this.in = in;
        this.sink = sink;
    }

    @Override
    public void run() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            StringBuilder line = new StringBuilder();
            int c;
            boolean truncated = false;
            while ((c = reader.read()) != -1) {
                if (c == '\n') {
                    handle(line.toString());
                    line.setLength(0);
                    truncated = false;
                } else if (line.length() < MAX_LINE) {
                    line.append((char) c);
                } else if (!truncated) {
                    truncated = true;
                }
            }
            if (line.length() > 0) {
                handle(line.toString());
            }
        } catch (IOException e) {
            // The stream closes when the process dies; nothing more to read.
            DAEMON.debug("[{}] output closed: {}", node, e.getMessage());
        }
    }

    private void handle(String raw) {
        String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        if (line.isBlank()) {
            return;
        }
        NebulaLogEvent event = parse(line);
        log(event);
        try {
            sink.accept(event);
        } catch (RuntimeException e) {
            DAEMON.warn("[{}] handling a daemon event failed: {}", node, e.toString());
        }
    }

    /** Parses one line; never throws. */
    static NebulaLogEvent parse(String line) {
        String trimmed = line.strip();
        if (trimmed.startsWith("{")) {
            try {
                JsonNode node = JSON.readTree(trimmed);
                if (node != null && node.isObject()) {
                    Map<String, String> fields = new LinkedHashMap<>();
                    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
                    while (it.hasNext()) {
                        Map.Entry<String, JsonNode> e = it.next();
                        if (e.getKey().equals("level") || e.getKey().equals("msg")) {
                            continue;
                        }
                        JsonNode v = e.getValue();
                        fields.put(e.getKey(), v.isValueNode() ? v.asText() : v.toString());
                    }
                    String level = node.path("level").isTextual() ? node.get("level").asText() : "info";
                    String msg = node.path("msg").isTextual() ? node.get("msg").asText() : trimmed;
                    return new NebulaLogEvent(level, msg, fields, true);
                }
            } catch (IOException | RuntimeException e) {
                // not JSON after all: fall through and keep the raw line
            }
        }
        String level = "info";
        // Nebula's text format before it has read logging.format: time="…" level=error msg="…"
        int at = trimmed.indexOf("level=");
        if (at >= 0) {
            int end = trimmed.indexOf(' ', at);
            level = trimmed.substring(at + 6, end < 0 ? trimmed.length() : end);
        } else if (trimmed.startsWith("panic:") || trimmed.startsWith("fatal error:")) {
            level = "panic";
        }
        return new NebulaLogEvent(level, trimmed, Map.of(), false);
    }

    /**
     * Lines Nebula prints at INFO on every start that say nothing an operator acts on: its config
     * dump ({@code nebula -test}), one line per firewall rule, the host map and punching settings,
     * and the outgoing half of each handshake (the incoming half says the peer answered). They go
     * to debug, so an operator's log has one line per event.
     */
    static boolean isStartupChatter(NebulaLogEvent e) {
        String m = e.message();
        if (!e.json()) {
            return m.contains("msg=\"pki:") || m.contains("msg=\"firewall:") || m.contains("msg=\"Firewall");
        }
        return m.startsWith("Firewall rule added") || m.equals("Firewall started") || m.equals("Main HostMap created")
                || m.equals("UDP hole punching enabled") || m.startsWith("Loaded send_recv_error config")
                || m.equals("Read relay from config") || m.equals("Handshake message sent");
    }

    private void log(NebulaLogEvent e) {
        String extra = e.fields().isEmpty() ? "" : " " + e.fields();
        switch (e.level()) {
            case "trace", "debug" -> DAEMON.debug("[{}] {}{}", node, e.message(), extra);
            case "info" -> {
                if (isStartupChatter(e)) {
                    DAEMON.debug("[{}] {}{}", node, e.message(), extra);
                } else {
                    DAEMON.info("[{}] {}{}", node, e.message(), extra);
                }
            }
            case "warning", "warn" -> DAEMON.warn("[{}] {}{}", node, e.message(), extra);
            default -> DAEMON.error("[{}] {}{}", node, e.message(), extra);
        }
    }
}
