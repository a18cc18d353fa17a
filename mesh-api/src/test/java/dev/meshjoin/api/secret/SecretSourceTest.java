package dev.meshjoin.api.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretSourceTest {
    @TempDir
    Path dir;

    @Test
    void aVariableIsReadAsItsUtf8Bytes() {
        SecretValue v = SecretSource.of(Map.of("MESH_SECRET", "pässwörd-✓")).read("MESH_SECRET").orElseThrow();
        assertThat(v.bytes()).isEqualTo("pässwörd-✓".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(v.chars())).isEqualTo("pässwörd-✓");
        assertThat(v.length()).isEqualTo(10);
        assertThat(v.origin()).isEqualTo("MESH_SECRET");
        assertThat(v.toString()).doesNotContain("pässwörd").contains("MESH_SECRET");
    }

    @Test
    void aFileIsReadWithOneTrailingNewlineDropped() throws Exception {
        Path f = secretFile("s1", "line one\n\n".getBytes(StandardCharsets.UTF_8), "rw-------");
        Path crlf = secretFile("s2", "tok\r\n".getBytes(StandardCharsets.UTF_8), "rw-------");
        Path bare = secretFile("s3", "  spaced  ".getBytes(StandardCharsets.UTF_8), "rw-------");
        SecretSource src = SecretSource.of(Map.of("A_FILE", f.toString(), "B_FILE", crlf.toString(),
                "C_FILE", bare.toString()));
        assertThat(src.read("A").orElseThrow().string()).isEqualTo("line one\n");
        assertThat(src.read("B").orElseThrow().string()).isEqualTo("tok");
        assertThat(src.read("C").orElseThrow().string()).isEqualTo("  spaced  ");
        assertThat(src.read("A").orElseThrow().origin()).isEqualTo("A_FILE (" + f + ")");
        assertThat(src.read("A").orElseThrow().warnings()).isEmpty();
    }

    @Test
    void bothSetIsRefusedNamingBoth() throws Exception {
        Path f = secretFile("s", "x".getBytes(StandardCharsets.UTF_8), "rw-------");
        SecretSource src = SecretSource.of(Map.of("MESH_SECRET", "y", "MESH_SECRET_FILE", f.toString()));
        assertThatThrownBy(() -> src.read("MESH_SECRET"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("both MESH_SECRET and MESH_SECRET_FILE are set; unset one");
    }

    @Test
    void aMissingOrWrongFileIsRefusedWithWhatToDo() {
        SecretSource src = SecretSource.of(Map.of("A_FILE", dir.resolve("nope").toString(),
                "B_FILE", dir.toString(), "C_FILE", " "));
        assertThatThrownBy(() -> src.read("A")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("A_FILE names " + dir.resolve("nope") + ", which does not exist");
        assertThatThrownBy(() -> src.read("B")).hasMessageContaining("is not a regular file");
        assertThatThrownBy(() -> src.read("C")).hasMessageContaining("C_FILE is empty; set it to the path");
    }

    @Test
    void aHugeFileIsRefusedAndNotTakenAsASecret() throws Exception {
        Path f = secretFile("big", new byte[SecretSource.MAX_FILE_BYTES + 1], "rw-------");
        assertThatThrownBy(() -> SecretSource.of(Map.of("A_FILE", f.toString())).read("A"))
                .hasMessageContaining("over " + SecretSource.MAX_FILE_BYTES + " bytes");
    }

    @Test
    void aFileOthersCanReadIsReadWithAWarning() throws Exception {
        Path f = secretFile("open", "secret".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        SecretValue v = SecretSource.of(Map.of("A_FILE", f.toString())).read("A").orElseThrow();
        assertThat(v.string()).isEqualTo("secret");
        assertThat(v.warnings()).singleElement().asString()
                .contains(f.toString()).contains("readable by every user").contains("chmod 600")
                .doesNotContain("secret\"");
    }

    @Test
    void unsetIsEmptyAndRequireSaysBothWays() {
        SecretSource src = SecretSource.of(Map.of());
        assertThat(src.read("MESH_SECRET")).isEmpty();
        assertThat(src.isSet("MESH_SECRET")).isFalse();
        assertThatThrownBy(() -> src.require("MESH_SECRET", "the network secret"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("set the network secret in the environment variable MESH_SECRET, or put it in a file"
                        + " and set MESH_SECRET_FILE to its path");
    }

    @Test
    void invalidUtf8InAFileIsRefusedWhenDecoded() throws Exception {
        Path f = secretFile("latin1", new byte[] {'p', (byte) 0xe4, 's', 's'}, "rw-------");
        SecretValue v = SecretSource.of(Map.of("A_FILE", f.toString())).read("A").orElseThrow();
        assertThat(v.bytes()).hasSize(4);
        assertThatThrownBy(v::chars).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("A_FILE (" + f + ") is not valid UTF-8");
    }

    @Test
    void sameAsComparesBytes() {
        SecretValue a = SecretValue.of("abc".getBytes(StandardCharsets.UTF_8), "a");
        assertThat(a.sameAs(SecretValue.of("abc".getBytes(StandardCharsets.UTF_8), "b"))).isTrue();
        assertThat(a.sameAs(SecretValue.of("abd".getBytes(StandardCharsets.UTF_8), "b"))).isFalse();
        a.wipe();
        assertThat(a.bytes()).containsOnly(0);
    }

    @Test
    void procEnvironParsingKeepsRawBytesAndTheFirstOfRepeats() {
        byte[] raw = "A=1\0B=p\u00e4=x\0A=2\0=bad\0NOEQ\0C=\0".getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> env = SecretSource.parseEnviron(raw);
        assertThat(env.keySet()).containsExactlyInAnyOrder("A", "B", "C");
        assertThat(new String(env.get("A"), StandardCharsets.UTF_8)).isEqualTo("1");
        assertThat(new String(env.get("B"), StandardCharsets.UTF_8)).isEqualTo("p\u00e4=x");
        assertThat(env.get("C")).isEmpty();
    }

    @Test
    void theProcessSourceReadsThisProcessesVariables() {
        // PATH is set in every test run; its raw bytes decode to what getenv shows (ASCII).
        assertThat(SecretSource.of(System.getenv()).read("PATH").orElseThrow().string())
                .isEqualTo(System.getenv("PATH"));
    }

    private Path secretFile(String name, byte[] content, String perms) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return f;
    }
}
