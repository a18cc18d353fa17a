package dev.meshjoin.nebula.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeFilesTest {
    @TempDir
    Path tmp;

    @Test
    void keyFileIsOwnerOnlyAndDirectoryIs0700() throws IOException {
        Path dir = tmp.resolve("a/b/state");
        NodeFiles.prepareDirectory(dir);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        Path key = dir.resolve("host.key");
        assertThat(NodeFiles.write(key, "secret".getBytes(), NodeFiles.OWNER_ONLY)).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Files.readString(key)).isEqualTo("secret");
        try (var list = Files.list(dir)) {
            assertThat(list.map(p -> p.getFileName().toString())).containsExactly("host.key");
        }
    }

    @Test
    void existingLooseDirectoryIsTightened() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("loose"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        NodeFiles.prepareDirectory(dir);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    }

    @Test
    void rewritingReportsChangesAndFixesPermissions() throws IOException {
        Path f = tmp.resolve("host.key");
        Files.writeString(f, "old");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(NodeFiles.write(f, "old".getBytes(), NodeFiles.OWNER_ONLY)).as("same bytes, loose mode").isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(NodeFiles.write(f, "old".getBytes(), NodeFiles.OWNER_ONLY)).isFalse();
        assertThat(NodeFiles.write(f, "new".getBytes(), NodeFiles.OWNER_ONLY)).isTrue();
        assertThat(Files.readString(f)).isEqualTo("new");
    }
}
