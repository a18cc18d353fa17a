package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.testkit.netns.NetnsHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The real thing: three {@code meshctl up} processes in three network namespaces, sharing one
 * embedded file store, with the real Nebula daemon, the pure-Java CA and the allocator. Nothing
 * is set by hand. Needs root (namespaces) and the nebula binary.
 */
class MeshctlUpIT extends MeshctlLabIT {
    private static final Pattern READY = Pattern.compile("(?m)^READY (\\d+\\.\\d+\\.\\d+\\.\\d+)$");

    /** Non-ASCII on purpose: nodes started without LANG must read the same bytes as the others. */
    static final String SECRET = "it-network-s\u00ebcret-\u2713";

    /**
     * The founder reads its secrets from files ({@code _FILE}); the others from the environment,
     * started without {@code LANG}, so a lossy locale decoding would make their proofs fail.
     */
    private Process up(NetnsHost host, String name) throws IOException {
        List<String> env = new ArrayList<>(List.of("-u", "LANG", "-u", "LC_ALL", "-u", "LC_CTYPE"));
        if (name.equals("node-1")) {
            env.add("MESH_SECRET_FILE=" + secretFile("secret", SECRET + "\n"));
            env.add("MESH_CA_PASSPHRASE_FILE=" + secretFile("ca-passphrase", "it-ca-passphrase\n"));
        } else {
            env.add("MESH_SECRET=" + SECRET);
            env.add("MESH_CA_PASSPHRASE=it-ca-passphrase");
        }
        return lab.meshctl(host, name, env, List.of("up", "--name", name, "--store", lab.store(), "--state-dir",
                tmp.resolve(name).toString(), "--public-endpoint", host.address() + ":4242", "--network", "it"));
    }

    private Path secretFile(String name, String content) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    private String output(String name) {
        return lab.output(name);
    }

    /** Waits for a pattern in a node's output, reacting to what the process prints (no fixed sleep). */
    private Matcher await(String name, Pattern pattern, int fromIndex, long timeoutMillis) throws InterruptedException {
        return lab.await(name, pattern, fromIndex, timeoutMillis);
    }

    @Test
    void threeNodesFoundAndJoinThenReachEachOtherInAllSixDirections() throws Exception {
        lab = MeshctlLab.create(3, tmp);
        List<String> names = List.of("node-1", "node-2", "node-3");
        up(lab.host(1), names.get(0));
        await(names.get(0), READY, 0, 60_000);
        Process joiner = up(lab.host(2), names.get(1));
        up(lab.host(3), names.get(2));

        Map<String, Ipv4Address> overlay = new TreeMap<>();
        for (String n : names) {
            overlay.put(n, Ipv4Address.parse(await(n, READY, 0, 90_000).group(1)));
        }
        assertThat(overlay.values()).doesNotHaveDuplicates();
        assertThat(output("node-1")).contains("as founder");
        assertThat(output("node-2")).doesNotContain("as founder").contains("JOINING");

        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (i != j) {
                    assertThat(MeshctlLab.pingWithin(lab.host(i + 1), overlay.get(names.get(j)), 10_000))
                            .as(names.get(i) + " -> " + names.get(j)).isTrue();
                }
            }
        }

        // kill -9 of a joiner's nebula: the driver restarts it, the node goes DEGRADED then READY again.
        int before = output("node-3").length();
        long nebula = MeshctlLab.nebulaPid(lab.host(3)).orElseThrow();
        ProcessHandle.of(nebula).orElseThrow().destroyForcibly();
        await("node-3", Pattern.compile("(?m)^DEGRADED "), before, 30_000);
        await("node-3", READY, before, 60_000);
        assertThat(MeshctlLab.nebulaPid(lab.host(3))).isPresent().get().isNotEqualTo(nebula);
        assertThat(MeshctlLab.pingWithin(lab.host(1), overlay.get("node-3"), 15_000)).isTrue();
        assertThat(MeshctlLab.pingWithin(lab.host(3), overlay.get("node-2"), 15_000)).isTrue();

        // meshctl status reads what the running node wrote in its state directory.
        Run status = Run.meshctl(tmp, Map.of(), "status", "--state-dir", tmp.resolve("node-2").toString(), "--json");
        assertThat(status.status()).as(status.out() + status.err()).isZero();
        com.fasterxml.jackson.databind.JsonNode st = new com.fasterxml.jackson.databind.ObjectMapper().readTree(status.out());
        assertThat(st.get("status").get("state").asText()).isEqualTo("READY");
        assertThat(st.get("status").get("overlayAddress").asText()).startsWith(overlay.get("node-2") + "/");
        assertThat(st.get("status").get("role").asText()).isEqualTo("member");
        assertThat(st.get("status").get("nebulaPid").asLong()).isEqualTo(MeshctlLab.nebulaPid(lab.host(2)).orElseThrow());
        assertThat(st.get("status").get("lighthouses").toString()).contains("node-1");

        // SIGTERM: a clean leave, exit status 0, no nebula and no tun device left in the namespace.
        joiner.destroy();
        assertThat(joiner.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(joiner.exitValue()).as(output("node-2")).isZero();
        assertThat(MeshctlLab.nebulaPid(lab.host(2))).isEmpty();
        Run gone = Run.meshctl(tmp, Map.of(), "status", "--state-dir", tmp.resolve("node-2").toString());
        assertThat(gone.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(gone.out()).startsWith("not running");
        String links = lab.host(2).exec("ip", "-o", "link", "show").output();
        assertThat(links.lines().filter(l -> !l.contains(": lo:") && !l.contains(": eth0")).toList())
                .as(links).isEmpty();
    }

    @Test
    void aNodeWithOnlyAnEnrollmentTokenJoinsWithoutTheNetworkSecret() throws Exception {
        lab = MeshctlLab.create(2, tmp);
        up(lab.host(1), "lh");
        await("lh", READY, 0, 60_000);
        // Token records are signed by the CA: creating one takes the CA passphrase.
        Run created = Run.meshctl(tmp, Map.of("MESH_CA_PASSPHRASE", "it-ca-passphrase"), "token", "create", "--store",
                lab.store(),
                "--network", "it", "--groups", "workers", "--uses", "1");
        assertThat(created.status()).as(created.err()).isZero();
        String token = created.out().strip();

        // No MESH_SECRET, no CA passphrase, no public endpoint: the token is all this node has.
        lab.meshctl(lab.host(2), "tok", List.of("MESH_TOKEN=" + token), List.of("--log-format", "json", "up",
                "--name", "tok", "--store", lab.store(), "--state-dir", tmp.resolve("tok").toString(), "--network", "it"));
        Matcher ready = await("tok", Pattern.compile("(?m)^\\{\"time\":\"[^\"]+\",\"state\":\"READY\",[^\\n]*"
                + "\"address\":\"(\\d+\\.\\d+\\.\\d+\\.\\d+)\""), 0, 90_000);
        // The "joined" event follows the READY line.
        await("tok", Pattern.compile("\"event\":\"joined\""), 0, 10_000);
        // Every line of a JSON-format run is one JSON object, progress and log alike.
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String line : output("tok").lines().toList()) {
            assertThat(json.readTree(line).isObject()).as(line).isTrue();
        }
        assertThat(output("tok")).contains("\"state\":\"JOINING\"").contains("\"event\":\"joined\"");
        assertThat(MeshctlLab.pingWithin(lab.host(2), Ipv4Address.parse("10.42.0.1"), 10_000)).isTrue();
        assertThat(MeshctlLab.pingWithin(lab.host(1), Ipv4Address.parse(ready.group(1)), 10_000)).isTrue();

        Run listed = Run.meshctl(tmp, Map.of(), "token", "list", "--store", lab.store(),
                "--network", "it", "--json");
        assertThat(json.readTree(listed.out()).get(0).get("uses").asInt()).isEqualTo(1);
        assertThat(json.readTree(listed.out()).get(0).get("state").asText()).isEqualTo("used-up");
        assertThat(output("lh")).contains("join admitted tok").contains("with token:");
        assertThat(output("lh")).doesNotContain("Registrar").doesNotContain("Firewall rule added");
    }

    @Test
    void aMissingSecretIsRefusedOnOneLine() throws Exception {
        lab = MeshctlLab.create(1, tmp);
        Process p = lab.meshctl(lab.host(1), "x", List.of(), List.of("up", "--name", "x",
                "--store", lab.store(), "--state-dir", tmp.resolve("x").toString()));
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("a missing value, as a missing flag: not restarted by systemd").isEqualTo(2);
        assertThat(output("x").strip()).isEqualTo("up: set the network secret in the environment variable MESH_SECRET"
                + " (or a file named by MESH_SECRET_FILE), or an enrollment token in MESH_TOKEN (meshctl token create)");
    }
}
