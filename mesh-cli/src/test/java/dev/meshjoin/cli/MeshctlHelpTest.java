package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Help, version, exit statuses and required flags, run in-process as the shell would run them. */
class MeshctlHelpTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"help", "-h", "-help", "--help"})
    void helpInAnyFormGoesToStdoutWithStatusZeroAndListsExitStatuses(String flag) {
        Run r = Run.meshctl(dir, Map.of(), flag);
        assertThat(r.status()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("usage: meshctl").contains("  up ", "  token ", "  version ", "-log-format")
                .contains("0  ok", "1  error", "2  usage", "3  up: FALLBACK");
    }

    @ParameterizedTest
    @ValueSource(strings = {"up", "members", "token", "sign", "ca", "secret", "version"})
    void everyCommandAnswersHelpWithItsFlagsAndStatusZero(String command) {
        Run viaHelp = Run.meshctl(dir, Map.of(), "help", command);
        assertThat(viaHelp.status()).as(viaHelp.err()).isZero();
        assertThat(viaHelp.out()).startsWith(command + ": ").contains("usage: meshctl " + command);
        for (String flag : new String[] {"-help", "--help", "-h"}) {
            Run r = Run.meshctl(dir, Map.of(), command, flag);
            assertThat(r.status()).as(command + " " + flag + ": " + r.err()).isZero();
            assertThat(r.out()).contains("usage: meshctl " + command);
        }
    }

    @Test
    void helpUpShowsTheJoinFlags() {
        Run r = Run.meshctl(dir, Map.of(), "help", "up");
        assertThat(r.out()).contains("-name", "-store", "-state-dir", "-public-endpoint", "-token", "-join-timeout");
    }

    @Test
    void helpForAnUnknownCommandIsAUsageError() {
        Run r = Run.meshctl(dir, Map.of(), "help", "frobnicate");
        assertThat(r.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(r.err()).contains("unknown command 'frobnicate'");
    }

    @Test
    void everyMissingRequiredFlagIsNamedAtOnce() {
        Run r = Run.meshctl(dir, Map.of("MESH_SECRET", "a-network-secret-of-some-length"), "up");
        assertThat(r.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(r.err().strip()).isEqualTo("up: missing required flags -name, -store, -state-dir (see meshctl help up)");
        Run one = Run.meshctl(dir, Map.of(), "up", "--name", "a", "--state-dir", "s");
        assertThat(one.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(one.err().strip()).isEqualTo("up: -store is required (see meshctl help up)");
    }

    @Test
    void upWithNeitherSecretNorTokenSaysWhatToSet() {
        Run r = Run.meshctl(dir, Map.of(), "up", "--name", "a", "--store", "file:" + dir.resolve("s"), "--state-dir", "st");
        assertThat(r.status()).as("a missing value, as a missing flag is").isEqualTo(ExitStatus.USAGE);
        assertThat(r.err()).contains("MESH_SECRET", "MESH_TOKEN").hasLineCount(1);
        assertThat(dir.resolve("s")).as("nothing opened or written").doesNotExist();
        assertThat(dir.resolve("st")).doesNotExist();
    }

    @Test
    void aMalformedTokenIsAUsageErrorThatNeverEchoesIt() {
        Run r = Run.meshctl(dir, Map.of("MESH_TOKEN", "mjt1.nothex.secret-part-xyz"), "up", "--name", "a", "--store",
                "file:" + dir.resolve("s"), "--state-dir", "st");
        assertThat(r.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(r.err()).contains("MESH_TOKEN is not an enrollment token").doesNotContain("secret-part-xyz");
    }

    @Test
    void versionPrintsTheBuiltVersionAsTextAndJson() throws Exception {
        Run text = Run.meshctl(dir, Map.of(), "version");
        assertThat(text.status()).isZero();
        assertThat(text.out()).startsWith("meshctl " + VersionCommand.version() + "\n").contains("java 17");
        assertThat(VersionCommand.version()).matches("\\d+\\.\\d+\\.\\d+.*");
        Run json = Run.meshctl(dir, Map.of(), "version", "--json");
        JsonNode node = new ObjectMapper().readTree(json.out());
        assertThat(node.get("version").asText()).isEqualTo(VersionCommand.version());
        assertThat(node.get("java").asText()).isEqualTo(System.getProperty("java.version"));
    }

    @Test
    void logFlagsAreGlobalAndCheckedBeforeAnything() {
        Run bad = Run.meshctl(dir, Map.of(), "--log-level", "loud", "version");
        assertThat(bad.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(bad.err()).contains("-log-level takes one of error, warn, info, debug, trace");
        Run badFormat = Run.meshctl(dir, Map.of(), "version", "-log-format=xml");
        assertThat(badFormat.status()).isEqualTo(ExitStatus.USAGE);
        Run ok = Run.meshctl(dir, Map.of(), "version", "-log-level=warn");
        assertThat(ok.status()).isZero();
        assertThat(ok.out()).startsWith("meshctl ");
        Run.meshctl(dir, Map.of(), "version", "-log-level=info");
    }
}
