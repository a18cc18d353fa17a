package dev.meshjoin.nebula.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Interface;
import dev.meshjoin.api.overlay.FirewallRule;
import dev.meshjoin.api.overlay.Lighthouse;
import dev.meshjoin.api.overlay.OverlayConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class NebulaConfigRendererTest {
    static final Lighthouse LH1 = new Lighthouse("lh1", Ipv4Address.parse("10.42.0.1"), List.of(Endpoint.parse("192.0.2.1:4242")));
    static final Lighthouse LH2 = new Lighthouse("lh2", Ipv4Address.parse("10.42.0.2"),
            List.of(Endpoint.parse("192.0.2.2:4243"), Endpoint.parse("198.51.100.2:4243")));
    static final NebulaConfigRenderer.PkiPaths PKI = new NebulaConfigRenderer.PkiPaths(
            Path.of("/state/ca.crt"), Path.of("/state/host.crt"), Path.of("/state/host.key"));

    static OverlayConfig.Builder base() {
        return OverlayConfig.builder().nodeName("w7").address(Ipv4Interface.parse("10.42.0.7/16"))
                .certificatePem("CERT".getBytes()).privateKey(new byte[32]).caBundlePem("CA".getBytes())
                .lighthouses(List.of(LH1, LH2)).stateDirectory(Path.of("/state"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parsed(OverlayConfig c) {
        String yaml = NebulaConfigRenderer.render(c, PKI, "mjabc");
        return (Map<String, Object>) new Yaml().load(yaml);
    }

    @SuppressWarnings("unchecked")
    static <T> T at(Map<String, Object> m, String... path) {
        Object v = m;
        for (String p : path) {
            v = ((Map<String, Object>) v).get(p);
        }
        return (T) v;
    }

    @Test
    void joinerListsEveryLighthouseAndRelaysThroughThem() {
        Map<String, Object> y = parsed(base().build());
        assertThat((Object) at(y, "pki", "ca")).isEqualTo("/state/ca.crt");
        assertThat((Object) at(y, "pki", "cert")).isEqualTo("/state/host.crt");
        assertThat((Object) at(y, "pki", "key")).isEqualTo("/state/host.key");
        assertThat((Map<String, Object>) at(y, "static_host_map")).containsExactly(
                Map.entry("10.42.0.1", List.of("192.0.2.1:4242")),
                Map.entry("10.42.0.2", List.of("192.0.2.2:4243", "198.51.100.2:4243")));
        assertThat((Object) at(y, "lighthouse", "am_lighthouse")).isEqualTo(false);
        assertThat((List<String>) at(y, "lighthouse", "hosts")).containsExactly("10.42.0.1", "10.42.0.2");
        assertThat((Object) at(y, "listen", "host")).isEqualTo("0.0.0.0");
        assertThat((Object) at(y, "listen", "port")).isEqualTo(0);
        assertThat((Object) at(y, "punchy", "punch")).isEqualTo(true);
        assertThat((Object) at(y, "relay", "am_relay")).isEqualTo(false);
        assertThat((Object) at(y, "relay", "use_relays")).isEqualTo(true);
        assertThat((List<String>) at(y, "relay", "relays")).containsExactly("10.42.0.1", "10.42.0.2");
        assertThat((Object) at(y, "tun", "dev")).isEqualTo("mjabc");
        assertThat((Object) at(y, "logging", "level")).isEqualTo("info");
        assertThat((Object) at(y, "logging", "format")).isEqualTo("json");
        assertThat((Map<String, Object>) at(y, "pki")).doesNotContainKey("blocklist");
    }

    @Test
    void lighthouseListsTheOthersNotItselfAndRelays() {
        Map<String, Object> y = parsed(base().nodeName("lh2").address(Ipv4Interface.parse("10.42.0.2/16"))
                .lighthouse(true).listenPort(4243).build());
        assertThat((Object) at(y, "lighthouse", "am_lighthouse")).isEqualTo(true);
        assertThat((List<String>) at(y, "lighthouse", "hosts")).containsExactly("10.42.0.1");
        assertThat((Map<String, Object>) at(y, "static_host_map")).containsOnlyKeys("10.42.0.1");
        assertThat((Object) at(y, "listen", "port")).isEqualTo(4243);
        assertThat((Object) at(y, "relay", "am_relay")).isEqualTo(true);
        assertThat((Map<String, Object>) at(y, "relay")).doesNotContainKey("relays");
    }

    @Test
    void loneLighthouseHasNoHosts() {
        Map<String, Object> y = parsed(base().nodeName("lh1").address(Ipv4Interface.parse("10.42.0.1/16"))
                .lighthouses(List.of(LH1)).lighthouse(true).listenPort(4242).build());
        assertThat((List<String>) at(y, "lighthouse", "hosts")).isEmpty();
        assertThat((Map<String, Object>) at(y, "static_host_map")).isEmpty();
    }

    @Test
    void defaultFirewallIsDocumentedOne() {
        Map<String, Object> y = parsed(base().build());
        assertThat((List<Map<String, Object>>) at(y, "firewall", "outbound")).containsExactly(
                Map.of("port", "any", "proto", "any", "host", "any"),
                Map.of("port", "any", "proto", "icmp", "host", "any"));
        assertThat((List<Map<String, Object>>) at(y, "firewall", "inbound")).containsExactly(
                Map.of("port", "any", "proto", "icmp", "host", "any"),
                Map.of("port", "any", "proto", "any", "host", "any"));
    }

    @Test
    void givenRulesReplaceTheDefaultAndIcmpIsKeptForTheProbe() {
        Map<String, Object> y = parsed(base().firewall(List.of(
                FirewallRule.inboundFromGroup("8000-8080", "tcp", "api"),
                new FirewallRule(FirewallRule.Direction.OUTBOUND, "443", "tcp", "any", null))).build());
        assertThat((List<Map<String, Object>>) at(y, "firewall", "inbound")).containsExactly(
                Map.of("port", "8000-8080", "proto", "tcp", "group", "api"),
                Map.of("port", "any", "proto", "icmp", "host", "any"));
        assertThat((List<Map<String, Object>>) at(y, "firewall", "outbound")).containsExactly(
                Map.of("port", "443", "proto", "tcp", "host", "any"),
                Map.of("port", "any", "proto", "icmp", "host", "any"));
    }

    @Test
    void blocklistIsWritten() {
        Map<String, Object> y = parsed(base().blocklist(List.of("ab12", "cd34")).build());
        assertThat((List<String>) at(y, "pki", "blocklist")).containsExactly("ab12", "cd34");
        assertThat((Object) at(y, "pki", "disconnect_invalid")).as("revoked peers' tunnels drop").isEqualTo(true);
    }

    @Test
    void refusesWhatNebulaCouldNotUse() {
        assertThatThrownBy(() -> NebulaConfigRenderer.render(base().nodeName("lh2").address(Ipv4Interface.parse("10.42.0.2/16"))
                .lighthouse(true).listenPort(0).build(), PKI, "mjabc"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("fixed listen port");
        Lighthouse hidden = new Lighthouse("lh3", Ipv4Address.parse("10.42.0.3"), List.of());
        assertThatThrownBy(() -> NebulaConfigRenderer.render(base().lighthouses(List.of(LH1, hidden)).build(), PKI, "mjabc"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("lh3").hasMessageContaining("no public endpoint");
        assertThatThrownBy(() -> NebulaConfigRenderer.render(base().lighthouses(List.of(LH1)).address(Ipv4Interface.parse("10.42.0.1/16"))
                .build(), PKI, "mjabc"))
                .as("a joiner whose only lighthouse is itself has nobody to join")
                .isInstanceOf(ConfigurationException.class);
        for (String bad : new String[] {"", "sixteen-chars-xx", "a/b", "a b", ".."}) {
            assertThatThrownBy(() -> NebulaConfigRenderer.render(base().build(), PKI, bad))
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("tun device name");
        }
    }

    @Test
    void tunNamesAreShortStableAndDistinct() {
        OverlayConfig a = base().build();
        OverlayConfig b = base().nodeName("w8").build();
        OverlayConfig c = base().stateDirectory(Path.of("/other")).build();
        String ta = NebulaOverlayDriver.tunDeviceFor(a);
        assertThat(ta).matches("mj[0-9a-f]{10}").hasSizeLessThanOrEqualTo(15);
        assertThat(NebulaOverlayDriver.tunDeviceFor(base().build())).isEqualTo(ta);
        assertThat(NebulaOverlayDriver.tunDeviceFor(b)).isNotEqualTo(ta);
        assertThat(NebulaOverlayDriver.tunDeviceFor(c)).isNotEqualTo(ta);
    }

    @Test
    void renderedYamlNeverContainsTheKey() {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) 0x5a);
        String yaml = NebulaConfigRenderer.render(base().privateKey(key).build(), PKI, "mjabc");
        assertThat(yaml).doesNotContain(java.util.Base64.getEncoder().encodeToString(key)).doesNotContain("PRIVATE KEY");
    }
}
