package dev.meshjoin.nebula.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class NebulaLogPumpTest {
    // Real lines of nebula 1.6.1.
    static final String ACTIVE = "{\"build\":\"1.6.1\",\"interface\":\"mja\",\"level\":\"info\",\"msg\":\"Nebula interface is active\","
            + "\"network\":\"10.99.0.2/24\",\"time\":\"2026-11-25T06:14:58Z\",\"udpAddr\":{\"ip\":\"0.0.0.0\",\"port\":44264}}";
    static final String HANDSHAKE = "{\"certName\":\"lh\",\"durationNs\":401680600,\"handshake\":{\"stage\":2,\"style\":\"ix_psk0\"},"
            + "\"level\":\"info\",\"msg\":\"Handshake message received\",\"vpnIp\":\"10.99.0.1\"}";
    static final String BIND = "{\"error\":\"unable to bind to socket: address already in use\",\"level\":\"error\","
            + "\"msg\":\"Failed to open udp listener\",\"queue\":0,\"time\":\"2026-11-25T06:15:23Z\"}";
    static final String TEXT = "time=\"2026-11-25T06:15:23Z\" level=error msg=\"Failed to load ca from config\" error=\"unable to read\"";

    @Test
    void startupChatterIsToldApartFromEvents() {
        // Real start-up lines of nebula 1.6.1 (logged on every start, one per firewall rule).
        String rule = "{\"firewallRule\":{\"direction\":\"outgoing\",\"proto\":0},\"level\":\"info\","
                + "\"msg\":\"Firewall rule added\",\"time\":\"2026-12-01T19:33:27Z\"}";
        String started = "{\"firewallHash\":\"a671\",\"level\":\"info\",\"msg\":\"Firewall started\"}";
        String sent = "{\"handshake\":{\"stage\":1},\"level\":\"info\",\"msg\":\"Handshake message sent\"}";
        String textDump = "time=\"2026-12-01T19:33:27Z\" level=info msg=\"firewall: rules\" rules=[]";
        for (String line : List.of(rule, started, sent, textDump)) {
            assertThat(NebulaLogPump.isStartupChatter(NebulaLogPump.parse(line))).as(line).isTrue();
        }
        for (String line : List.of(ACTIVE, HANDSHAKE, BIND, TEXT)) {
            assertThat(NebulaLogPump.isStartupChatter(NebulaLogPump.parse(line))).as(line).isFalse();
        }
    }

    @Test
    void parsesJsonLines() {
        NebulaLogEvent a = NebulaLogPump.parse(ACTIVE);
        assertThat(a.json()).isTrue();
        assertThat(a.level()).isEqualTo("info");
        assertThat(a.message()).isEqualTo(NebulaLogEvent.INTERFACE_ACTIVE);
        assertThat(a.field("interface")).isEqualTo("mja");
        assertThat(a.field("udpAddr")).contains("44264");
        NebulaLogEvent h = NebulaLogPump.parse(HANDSHAKE);
        assertThat(h.message()).isEqualTo(NebulaLogEvent.HANDSHAKE_RECEIVED);
        assertThat(h.field("vpnIp")).isEqualTo("10.99.0.1");
        NebulaLogEvent e = NebulaLogPump.parse(BIND);
        assertThat(e.isError()).isTrue();
        assertThat(e.describe()).isEqualTo("Failed to open udp listener: unable to bind to socket: address already in use");
    }

    @Test
    void textLinesKeepTheirLevel() {
        NebulaLogEvent t = NebulaLogPump.parse(TEXT);
        assertThat(t.json()).isFalse();
        assertThat(t.isError()).isTrue();
        assertThat(t.message()).isEqualTo(TEXT);
        assertThat(NebulaLogPump.parse("panic: runtime error").isError()).isTrue();
        assertThat(NebulaLogPump.parse("{not json").json()).isFalse();
        assertThat(NebulaLogPump.parse("[1,2]").json()).isFalse();
    }

    @Test
    void pumpReadsEveryLineUntilTheStreamEnds() {
        String out = ACTIVE + "\n\n" + HANDSHAKE + "\r\n" + "x".repeat(NebulaLogPump.MAX_LINE * 2) + "\n" + BIND;
        List<NebulaLogEvent> events = new ArrayList<>();
        new NebulaLogPump("t", new ByteArrayInputStream(out.getBytes(StandardCharsets.UTF_8)), events::add).run();
        assertThat(events).extracting(NebulaLogEvent::message).containsExactly(
                NebulaLogEvent.INTERFACE_ACTIVE, NebulaLogEvent.HANDSHAKE_RECEIVED, "x".repeat(NebulaLogPump.MAX_LINE),
                "Failed to open udp listener");
    }

    @Test
    void aFailingSinkDoesNotStopThePump() {
        List<String> seen = new ArrayList<>();
        new NebulaLogPump("t", new ByteArrayInputStream((ACTIVE + "\n" + BIND + "\n").getBytes(StandardCharsets.UTF_8)), e -> {
            seen.add(e.message());
            throw new IllegalStateException("boom");
        }).run();
        assertThat(seen).hasSize(2);
    }

    @Property
    void neverThrowsOnAnyLine(@ForAll String line) {
        NebulaLogEvent e = NebulaLogPump.parse(line);
        assertThat(e.level()).isNotNull();
        assertThat(e.message()).isNotNull();
    }

    @Property
    void jsonObjectsKeepMessageAndFields(@ForAll String msg, @ForAll String value) {
        String line = "{\"level\":\"warning\",\"msg\":" + quote(msg) + ",\"k\":" + quote(value) + "}";
        NebulaLogEvent e = NebulaLogPump.parse(line);
        assertThat(e.json()).isTrue();
        assertThat(e.level()).isEqualTo("warning");
        assertThat(e.message()).isEqualTo(msg);
        assertThat(e.field("k")).isEqualTo(value);
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
