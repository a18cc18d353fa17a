package dev.meshjoin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Cidr;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshConfigTest {
    @TempDir
    Path dir;

    @Test
    void everySettingIsReadFromItsVariable() {
        Map<String, String> env = Map.ofEntries(Map.entry("MESH_NAME", "worker-7"), Map.entry("MESH_STORE", "file:/srv/s"),
                Map.entry("MESH_NETWORK", "prod"), Map.entry("MESH_STATE_DIR", "state/w7"),
                Map.entry("MESH_PUBLIC_ENDPOINT", "203.0.113.7:4242"), Map.entry("MESH_SIGNING_PORT", "9444"),
                Map.entry("MESH_CIDR", "10.99.0.0/16"), Map.entry("MESH_GROUPS", "workers, gpu"),
                Map.entry("NEBULA_BIN", "/opt/nebula"), Map.entry("MESH_OVERLAY_TIMEOUT", "45s"),
                Map.entry("MESH_JOIN_TIMEOUT", "1m30s"), Map.entry("MESH_SECRET", "s\u00ebcret"),
                Map.entry("MESH_CA_PASSPHRASE", "ca"), Map.entry("MESH_TOKEN", "tok"));

        MeshConfig c = MeshConfig.fromEnvironment(env, dir);

        assertThat(c.nodeName()).isEqualTo("worker-7");
        assertThat(c.store()).isEqualTo("file:/srv/s");
        assertThat(c.network()).isEqualTo("prod");
        assertThat(c.stateDirectory()).isEqualTo(dir.resolve("state/w7"));
        assertThat(c.publicEndpoint()).isEqualTo(Endpoint.parse("203.0.113.7:4242"));
        assertThat(c.signingPort()).isEqualTo(9444);
        assertThat(c.cidr()).isEqualTo(Ipv4Cidr.parse("10.99.0.0/16"));
        assertThat(c.groups()).containsExactly("workers", "gpu");
        assertThat(c.nebulaBinary()).isEqualTo(Path.of("/opt/nebula"));
        assertThat(c.overlayTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.joinTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.networkSecret().bytes()).isEqualTo("s\u00ebcret".getBytes(StandardCharsets.UTF_8));
        assertThat(c.caPassphrase().string()).isEqualTo("ca");
        assertThat(c.enrollmentToken().string()).isEqualTo("tok");
        assertThat(c.toString()).doesNotContain("s\u00ebcret").doesNotContain("=ca,");
    }

    @Test
    void theCaPinComesFromMeshCaFingerprintAsOneOrSeveralAndABadOneIsRefusedNamingIt() {
        String a = "5E1F".repeat(16);
        String b = "ab12".repeat(16);
        assertThat(MeshConfig.fromEnvironment(Map.of("MESH_CA_FINGERPRINT", a), dir).caFingerprints())
                .containsExactly(a.toLowerCase(java.util.Locale.ROOT));
        assertThat(MeshConfig.fromEnvironment(Map.of("MESH_CA_FINGERPRINT", a + ", " + b), dir).caFingerprints())
                .containsExactly(a.toLowerCase(java.util.Locale.ROOT), b);
        assertThat(MeshConfig.fromEnvironment(Map.of(), dir).caFingerprints()).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MeshConfig.fromEnvironment(
                Map.of("MESH_CA_FINGERPRINT", "not-hex"), dir))
                .isInstanceOf(dev.meshjoin.api.ConfigurationException.class).hasMessageContaining("ca-fingerprint")
                .hasMessageContaining("meshctl ca fingerprint");
    }

    @Test
    void unsetSettingsTakeTheirDefaults() {
        MeshConfig c = MeshConfig.fromEnvironment(Map.of(), dir);
        assertThat(c.nodeName()).isNull();
        assertThat(c.store()).isNull();
        assertThat(c.network()).isEqualTo("mesh");
        assertThat(c.signingPort()).isEqualTo(8444);
        assertThat(c.cidr()).isEqualTo(Ipv4Cidr.parse("10.42.0.0/16"));
        assertThat(c.groups()).isEmpty();
        assertThat(c.overlayTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.joinTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.networkSecret()).isNull();
    }

    @Test
    void theOriginalWorkerAgentsNamesStandInWhenTheMeshOnesAreUnset() {
        MeshConfig legacy = MeshConfig.fromEnvironment(Map.of("WORKER_ID", "w1", "VPN_ENCRYPTION_KEY", "old-key"), dir);
        assertThat(legacy.nodeName()).isEqualTo("w1");
        assertThat(legacy.networkSecret().string()).isEqualTo("old-key");
        MeshConfig both = MeshConfig.fromEnvironment(Map.of("WORKER_ID", "w1", "MESH_NAME", "w2",
                "VPN_ENCRYPTION_KEY", "old-key", "MESH_SECRET", "new-key"), dir);
        assertThat(both.nodeName()).isEqualTo("w2");
        assertThat(both.networkSecret().string()).isEqualTo("new-key");
    }

    @Test
    void secretsComeFromTheirFilesToo() throws Exception {
        Path f = Files.writeString(dir.resolve("ca"), "from-a-file\n");
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        MeshConfig c = MeshConfig.fromEnvironment(Map.of("MESH_CA_PASSPHRASE_FILE", f.toString()), dir);
        assertThat(c.caPassphrase().string()).isEqualTo("from-a-file");
        assertThat(c.caPassphrase().origin()).isEqualTo("MESH_CA_PASSPHRASE_FILE (" + f + ")");
        assertThat(c.warnings()).singleElement().asString().contains("readable by every user");
    }

    @Test
    void aValueThatDoesNotParseIsRefusedNamingItsSettingAndVariable() {
        assertThatThrownBy(() -> MeshConfig.fromEnvironment(Map.of("MESH_SIGNING_PORT", "http"), dir))
                .isInstanceOf(ConfigurationException.class).hasMessage("signing-port (MESH_SIGNING_PORT): 'http' is not a port (1..65535)");
        assertThatThrownBy(() -> MeshConfig.fromEnvironment(Map.of("MESH_JOIN_TIMEOUT", "2 minutes"), dir))
                .hasMessageStartingWith("join-timeout (MESH_JOIN_TIMEOUT): invalid duration \"2 minutes\"");
        assertThatThrownBy(() -> MeshConfig.fromEnvironment(Map.of("MESH_CIDR", "10.42.0.0"), dir))
                .hasMessageStartingWith("cidr (MESH_CIDR): ");
        assertThatThrownBy(() -> MeshConfig.of(Map.of("state_dir", "x"), dev.meshjoin.api.secret.SecretSource.of(Map.of()), dir))
                .hasMessageContaining("unknown setting 'state_dir'").hasMessageContaining("state-dir");
    }

    @Test
    void settingsOfAnEnvironmentAreKeyedLikeTheFlags() {
        assertThat(MeshConfig.settingsOf(Map.of("MESH_STATE_DIR", "/s", "MESH_SECRET", "x", "HOME", "/root", "MESH_NAME", "")))
                .isEqualTo(Map.of("state-dir", "/s"));
        assertThat(List.of(MeshConfig.Setting.values())).extracting(MeshConfig.Setting::key).doesNotHaveDuplicates()
                .noneMatch(k -> k.contains("secret") || k.contains("passphrase") || k.contains("token"));
    }

    @Property
    void goDurationsAddUpTheirParts(@ForAll @IntRange(max = 500) int h, @ForAll @IntRange(max = 59) int m,
                                     @ForAll @IntRange(max = 59) int s, @ForAll @IntRange(max = 999) int ms) {
        Duration expected = Duration.ofHours(h).plusMinutes(m).plusSeconds(s).plusMillis(ms);
        assertThat(MeshConfig.parseDuration(h + "h" + m + "m" + s + "s" + ms + "ms")).isEqualTo(expected);
        assertThat(MeshConfig.parseDuration(s + "s")).isEqualTo(Duration.ofSeconds(s));
    }

    @Property
    void anyTextIsADurationOrRefusedWithIllegalArgument(@ForAll String text) {
        try {
            assertThat(MeshConfig.parseDuration(text)).isNotNull();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).contains("duration");
        }
    }
}
