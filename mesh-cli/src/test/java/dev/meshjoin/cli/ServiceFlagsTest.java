package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.overlay.FirewallRule;
import dev.meshjoin.api.registry.ServiceInstance;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.ServicesRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.store.file.FileBootstrapStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** meshctl up --service and --router, and meshctl services. */
class ServiceFlagsTest {
    @TempDir
    Path dir;

    private static ServiceFlags.Checked check(String... args) {
        return ServiceFlags.check(UpCommand.flags().parse(List.of(args)));
    }

    @Test
    void servicesAreRepeatableWithAWeightAndTheRouterDefaultsToLoopback8480() {
        ServiceFlags.Checked c = check("--service", "echo=8080", "-service=api=9000,weight=3");
        assertThat(c.services()).containsExactly(ServiceInstance.of("echo", 8080), ServiceInstance.of("api", 9000).withWeight(3));
        assertThat(c.router()).isEqualTo(new Endpoint("127.0.0.1", 8480));
        assertThat(check("--router", "off").router()).isNull();
        assertThat(check("--router", "0.0.0.0:9999").router()).isEqualTo(new Endpoint("0.0.0.0", 9999));
        assertThat(check().services()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo", "=8080", "echo=", "echo=http", "echo=0", "echo=70000", "Echo=80", "echo=80,weight=0",
            "echo=80,weight=x", "echo=80,w=2", "echo=80,weight=2,weight=3", "echo=80,", "ec ho=80", "echo=80,weight=1001"})
    void aMalformedServiceIsAUsageErrorThatSaysWhatToWrite(String spec) {
        assertThatThrownBy(() -> check("--service", spec)).isInstanceOfSatisfying(CliException.class,
                e -> assertThat(e.status()).isEqualTo(ExitStatus.USAGE)).hasMessageContaining("NAME=PORT[,weight=N]");
    }

    @Test
    void twiceTheSameServiceOrAMalformedRouterIsRefused() {
        assertThatThrownBy(() -> check("--service", "echo=80", "--service", "echo=80,weight=2"))
                .hasMessageContaining("given twice");
        assertThatThrownBy(() -> check("--router", "localhost")).hasMessageContaining("--router takes HOST:PORT");
    }

    @Test
    void eachServicePortIsOpenToMembersOnTopOfTheDefaults() {
        List<FirewallRule> rules = ServiceFlags.firewall(List.of(ServiceInstance.of("echo", 8080), ServiceInstance.of("b", 8080),
                ServiceInstance.of("api", 9000)));
        assertThat(rules).containsAll(dev.meshjoin.nebula.overlay.NebulaConfigRenderer.DEFAULT_FIREWALL);
        assertThat(rules).filteredOn(r -> r.proto().equals("tcp")).extracting(FirewallRule::port)
                .containsExactly("8080", "9000");
        assertThat(rules).filteredOn(r -> r.proto().equals("tcp")).allSatisfy(r -> {
            assertThat(r.direction()).isEqualTo(FirewallRule.Direction.INBOUND);
            assertThat(r.host()).isEqualTo("any");
        });
    }

    @Test
    void servicesListsTheNewestListingOfEachInstance() {
        StoreKeys keys = StoreKeys.of("prod");
        Instant t = Instant.parse("2026-12-01T12:00:00Z");
        try (FileBootstrapStore store = new FileBootstrapStore(dir)) {
            store.putIfAbsent(keys.services("lh-1"), Json.write(new ServicesRecord(1, "lh-1", t, List.of(
                    new ServicesRecord.Listed("n2", "10.42.0.2", ServiceInstance.of("echo", 8080)),
                    new ServicesRecord.Listed("n3", "10.42.0.3", ServiceInstance.of("echo", 8080).withWeight(2))))));
            store.putIfAbsent(keys.services("lh-2"), Json.write(new ServicesRecord(1, "lh-2", t.plusSeconds(5), List.of(
                    new ServicesRecord.Listed("n2", "10.42.0.2", ServiceInstance.of("echo", 8080))))));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = new ServicesCommand().run(new Invocation(List.of("--store", "file:" + dir, "--network", "prod", "--json"),
                Meshctl.emptyInput(), new PrintStream(out, true, StandardCharsets.UTF_8), System.err, Map.of(), dir));
        assertThat(status).isZero();
        String json = out.toString(StandardCharsets.UTF_8);
        assertThat(json).contains("\"node\":\"n2\"").contains("\"lighthouse\":\"lh-2\"").contains("\"weight\":2");
        assertThat(json.split("\"service\"", -1)).hasSize(3);
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        new ServicesCommand().run(new Invocation(List.of("--store", "file:" + dir, "--network", "prod"),
                Meshctl.emptyInput(), new PrintStream(table, true, StandardCharsets.UTF_8), System.err, Map.of(), dir));
        assertThat(table.toString(StandardCharsets.UTF_8)).contains("SERVICE").contains("echo").contains("10.42.0.3");
    }
}
