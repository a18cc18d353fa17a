package dev.meshjoin.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.MeshConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshctl up}'s configuration: environment, then {@code --config FILE}, then flags. */
class UpConfigTest {
    @TempDir
    Path dir;

    private static final Flags UP = UpCommand.flags();

    private MeshConfig config(Map<String, String> env, String... args) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.putIfAbsent("MESH_SECRET", "a-network-secret-long-enough");
        return configWithout(all, args);
    }

    private MeshConfig configWithout(Map<String, String> env, String... args) {
        Flags flags = UpCommand.flags();
        Invocation inv = new Invocation(List.of(args), Meshctl.emptyInput(), System.out, System.err, env, dir);
        return UpCommand.config(inv, UpCommand.withConfigFile(inv, flags, flags.parse(List.of(args))));
    }

    @Test
    void aMissingCredentialIsAUsageErrorAndATokenOrASecretFileIsEnough() throws Exception {
        Map<String, String> env = Map.of("MESH_NAME", "n", "MESH_STORE", "file:/s", "MESH_STATE_DIR", "/st");
        assertThatThrownBy(() -> configWithout(env))
                .isInstanceOf(CliException.class)
                .hasMessage("up: set the network secret in the environment variable MESH_SECRET (or a file named by"
                        + " MESH_SECRET_FILE), or an enrollment token in MESH_TOKEN (meshctl token create)")
                .satisfies(e -> assertThat(((CliException) e).status()).isEqualTo(2));
        Path secret = Files.writeString(dir.resolve("secret"), "a-network-secret-long-enough\n", UTF_8);
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        java.util.Map<String, String> withFile = new java.util.HashMap<>(env);
        withFile.put("MESH_SECRET_FILE", secret.toString());
        assertThat(configWithout(withFile).networkSecret()).isNotNull();
        assertThat(configWithout(env, "--token", "mjt2.x").enrollmentToken()).as("the flag, checked later").isNull();
    }

    private Path yaml(String text) throws Exception {
        return Files.writeString(dir.resolve("node.yaml"), text, UTF_8);
    }

    @Test
    void flagsWinOverTheFileAndTheFileOverTheEnvironment() throws Exception {
        Path file = yaml("""
                name: from-file
                store: file:/srv/from-file
                state-dir: state/file
                join-timeout: 45s
                signing-port: 9444
                groups: [workers, gpu]
                """);
        MeshConfig c = config(Map.of("MESH_NAME", "from-env", "MESH_NETWORK", "env-net", "MESH_JOIN_TIMEOUT", "10s"),
                "--config", file.toString(), "--name", "from-flag");

        assertThat(c.nodeName()).isEqualTo("from-flag");
        assertThat(c.store()).isEqualTo("file:/srv/from-file");
        assertThat(c.network()).as("only the environment sets it").isEqualTo("env-net");
        assertThat(c.joinTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.signingPort()).isEqualTo(9444);
        assertThat(c.groups()).containsExactly("workers", "gpu");
        assertThat(c.stateDirectory()).isEqualTo(dir.resolve("state/file"));
    }

    @Test
    void theEnvironmentAloneIsEnough() {
        MeshConfig c = config(Map.of("MESH_NAME", "n", "MESH_STORE", "file:/s", "MESH_STATE_DIR", "/st"));
        assertThat(c.nodeName()).isEqualTo("n");
        assertThat(c.stateDirectory()).isEqualTo(Path.of("/st"));
    }

    @Test
    void everyMissingRequiredSettingIsNamedAtOnce() {
        assertThatThrownBy(() -> config(Map.of(), "--store", "file:/s"))
                .isInstanceOf(CliException.class)
                .hasMessage("up: missing required flags -name, -state-dir (see meshctl help up)")
                .satisfies(e -> assertThat(((CliException) e).status()).isEqualTo(2));
    }

    @Test
    void aSecretInTheFileIsRefusedPointingAtTheFileVariables() throws Exception {
        for (String line : List.of("ca-passphrase: hunter2-hunter2-hunter2", "secret: x", "MESH_SECRET: x",
                "token: mjt1.x", "network_secret: x", "ca-passphrase-file: /run/x")) {
            Path file = yaml("name: n\n" + line + "\n");
            assertThatThrownBy(() -> config(Map.of(), "--config", file.toString()))
                    .as(line).isInstanceOf(CliException.class)
                    .hasMessageContaining("a secret; secrets never go in a config file")
                    .hasMessageContaining("_FILE to its path")
                    .hasMessageNotContaining("hunter2");
        }
    }

    @Test
    void theFileTakesEveryFlagOfUpARepeatableOneAsAListAndTheCommandLineStillWins() throws Exception {
        Path file = yaml("name: n1\nservice: [api=8080, metrics=9100]\nrouter: 127.0.0.1:18480\n"
                + "lighthouse-interval: 30s\nmetrics: 127.0.0.1:19464\n");
        Flags flags = UpCommand.flags();
        Invocation inv = new Invocation(List.of(), Meshctl.emptyInput(), System.out, System.err, Map.of(), dir);
        Flags.Parsed fromFile = UpCommand.withConfigFile(inv, flags, flags.parse(List.of("--config", file.toString())));
        assertThat(fromFile.all("service")).containsExactly("api=8080", "metrics=9100");
        assertThat(fromFile.get("router")).isEqualTo("127.0.0.1:18480");
        assertThat(fromFile.get("lighthouse-interval")).isEqualTo("30s");
        assertThat(fromFile.get("metrics")).isEqualTo("127.0.0.1:19464");
        assertThat(fromFile.isSet("name")).isTrue();

        Flags.Parsed both = UpCommand.withConfigFile(inv, flags, flags.parse(List.of("--config", file.toString(),
                "--service", "web=80", "--router", "off")));
        assertThat(both.all("service")).as("the command line's services replace the file's").containsExactly("web=80");
        assertThat(both.get("router")).isEqualTo("off");
        assertThat(both.get("lighthouse-interval")).isEqualTo("30s");

        assertThatThrownBy(() -> ConfigFile.parse("service: []", "f.yaml", UP)).hasMessageContaining("empty list");
        assertThatThrownBy(() -> ConfigFile.parse("router: [a, b]", "f.yaml", UP)).hasMessageContaining("must be a single value");
        assertThatThrownBy(() -> ConfigFile.parse("config: other.yaml", "f.yaml", UP))
                .hasMessageContaining("'config', which is not a setting");
        assertThatThrownBy(() -> ConfigFile.parse("token: mjt2.x", "f.yaml", UP)).hasMessageContaining("a secret");
    }

    @Test
    void theSecretRefusalNamesTheRightVariable() {
        assertThatThrownBy(() -> ConfigFile.parse("ca-passphrase: x", "f.yaml", UP))
                .hasMessage("up: f.yaml sets 'ca-passphrase', a secret; secrets never go in a config file: put it in a"
                        + " file of its own (chmod 600) and set MESH_CA_PASSPHRASE_FILE to its path, or set"
                        + " MESH_CA_PASSPHRASE in the environment");
    }

    @Test
    void badFilesAreRefusedWithWhatIsWrong() throws Exception {
        assertThatThrownBy(() -> ConfigFile.parse("name: [a", "f.yaml", UP)).hasMessageStartingWith("up: f.yaml is not valid YAML at line");
        assertThatThrownBy(() -> ConfigFile.parse("- name\n- store\n", "f.yaml", UP)).hasMessageContaining("must be a YAML mapping");
        assertThatThrownBy(() -> ConfigFile.parse("stateDir: /x", "f.yaml", UP))
                .hasMessageContaining("'stateDir', which is not a setting").hasMessageContaining("state-dir");
        assertThatThrownBy(() -> ConfigFile.parse("name:\n  first: a", "f.yaml", UP)).hasMessageContaining("must be a single value");
        assertThatThrownBy(() -> config(Map.of(), "--config", dir.resolve("absent.yaml").toString()))
                .hasMessageContaining("absent.yaml does not exist");
        assertThat(ConfigFile.parse("", "f.yaml", UP)).isEmpty();
        assertThat(ConfigFile.parse("# only a comment\n", "f.yaml", UP)).isEmpty();
    }

    @Test
    void upRefusesASecretInTheFileBeforeItOpensOrWritesAnything() throws Exception {
        Path file = yaml("name: n1\nstore: file:" + dir.resolve("store") + "\nstate-dir: " + dir.resolve("state")
                + "\nsecret: a-network-secret-long-enough\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Meshctl().run(new Invocation(List.of("up", "-config", file.toString()), Meshctl.emptyInput(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, UTF_8), Map.of(), dir));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(UTF_8)).contains("MESH_SECRET_FILE").doesNotContain("a-network-secret-long-enough");
        assertThat(dir.resolve("store")).doesNotExist();
        assertThat(dir.resolve("state")).doesNotExist();
    }

    @Property
    void anyTextIsSettingsOrAUsageRefusal(@ForAll String text) {
        List<Throwable> odd = new ArrayList<>();
        try {
            Map<String, List<String>> settings = ConfigFile.parse(text, "f.yaml", UP);
            assertThat(settings.keySet()).allSatisfy(k -> assertThat(UP.names()).contains(k));
            assertThat(settings.values()).allSatisfy(v -> assertThat(v).isNotEmpty());
        } catch (CliException e) {
            assertThat(e.status()).isEqualTo(2);
            assertThat(e.getMessage()).startsWith("up: f.yaml").doesNotContain("\n");
        } catch (RuntimeException e) {
            odd.add(e);
        }
        assertThat(odd).isEmpty();
    }
}
