package dev.meshjoin.nebula.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.overlay.OverlayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NebulaBinaryTest {
    @TempDir
    Path tmp;

    static Path fakeNebula(Path dir, String version) throws IOException {
        Files.createDirectories(dir);
        Path script = dir.resolve("nebula");
        Files.writeString(script, "#!/bin/sh\nif [ \"$1\" = -version ]; then echo 'Version: " + version + "'; exit 0; fi\nexit 3\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** A fake nebula that appends a line to {@code runs} each time its version is asked. */
    static Path countingNebula(Path dir, String version, Path runs) throws IOException {
        Files.createDirectories(dir);
        Path script = dir.resolve("nebula");
        Files.writeString(script, "#!/bin/sh\nif [ \"$1\" = -version ]; then echo run >> '" + runs + "'; echo 'Version: "
                + version + "'; exit 0; fi\nexit 3\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private static long lines(Path f) throws IOException {
        return Files.exists(f) ? Files.readAllLines(f).size() : 0;
    }

    @Test
    void anUnchangedBinaryIsRunOnceAndAReplacedOneIsCheckedAgain() throws IOException {
        Path runs = tmp.resolve("runs");
        Path bin = countingNebula(tmp.resolve("bin"), "1.6.1", runs);
        assertThat(NebulaBinary.locate(bin, Map.of()).version()).isEqualTo(new NebulaVersion(1, 6, 1));
        assertThat(NebulaBinary.locate(bin, Map.of()).version()).isEqualTo(new NebulaVersion(1, 6, 1));
        assertThat(lines(runs)).as("the second check of the same file runs nothing").isEqualTo(1);

        // An upgrade in place: another version at the same path is what the next check reports.
        countingNebula(tmp.resolve("bin"), "1.10.2", runs);
        assertThat(NebulaBinary.locate(bin, Map.of()).version()).isEqualTo(new NebulaVersion(1, 10, 2));
        assertThat(lines(runs)).isEqualTo(2);
    }

    @Test
    void aRememberedOldBinaryIsStillRefusedAndADowngradeIsNoticed() throws IOException {
        Path runs = tmp.resolve("runs");
        Path bin = countingNebula(tmp.resolve("bin"), "1.5.9", runs);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> NebulaBinary.locate(bin, Map.of())).isInstanceOf(OverlayException.class)
                    .hasMessageContaining("1.5.9").hasMessageContaining("needs Nebula 1.6.0 or newer");
        }
        assertThat(lines(runs)).isEqualTo(1);
        Path good = countingNebula(tmp.resolve("bin"), "1.6.0", runs);
        assertThat(NebulaBinary.locate(good, Map.of()).version()).isEqualTo(NebulaVersion.MINIMUM);
        // Same size, rewritten in place: the modification time tells them apart (set a second on,
        // since two writes within one tick of the kernel's clock get the same time).
        FileTime before = Files.getLastModifiedTime(good);
        Files.writeString(good, Files.readString(good).replace("1.6.0", "1.5.0"));
        Files.setLastModifiedTime(good, FileTime.fromMillis(before.toMillis() + 1000));
        assertThatThrownBy(() -> NebulaBinary.locate(good, Map.of())).hasMessageContaining("1.5.0");
        assertThat(lines(runs)).isEqualTo(3);
        // Same size and time, but another file renamed over it (as package managers install): its identity differs.
        Path next = countingNebula(tmp.resolve("next"), "1.6.0", runs);
        Files.setLastModifiedTime(next, Files.getLastModifiedTime(good));
        Files.move(next, good, StandardCopyOption.REPLACE_EXISTING);
        assertThat(NebulaBinary.locate(good, Map.of()).version()).isEqualTo(NebulaVersion.MINIMUM);
        assertThat(lines(runs)).isEqualTo(4);
    }

    @Test
    void explicitPathWinsOverEnvironmentAndPath() throws IOException {
        Path explicit = fakeNebula(tmp.resolve("a"), "1.6.1");
        Path env = fakeNebula(tmp.resolve("b"), "1.7.0");
        Path onPath = fakeNebula(tmp.resolve("c"), "1.8.0");
        NebulaBinary b = NebulaBinary.locate(explicit, Map.of("NEBULA_BIN", env.toString(), "PATH", onPath.getParent().toString()));
        assertThat(b.path()).isEqualTo(explicit.toAbsolutePath());
        assertThat(b.version()).isEqualTo(new NebulaVersion(1, 6, 1));
    }

    @Test
    void environmentWinsOverPath() throws IOException {
        Path env = fakeNebula(tmp.resolve("b"), "1.7.0");
        Path onPath = fakeNebula(tmp.resolve("c"), "1.8.0");
        NebulaBinary b = NebulaBinary.locate(null, Map.of("NEBULA_BIN", env.toString(), "PATH", onPath.getParent().toString()));
        assertThat(b.version()).isEqualTo(new NebulaVersion(1, 7, 0));
    }

    @Test
    void pathIsSearchedInOrder() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path first = fakeNebula(tmp.resolve("first"), "1.6.0");
        Path second = fakeNebula(tmp.resolve("second"), "1.9.0");
        NebulaBinary b = NebulaBinary.locate(null, Map.of("PATH", empty + ":" + first.getParent() + ":" + second.getParent()));
        assertThat(b.path()).isEqualTo(first);
        assertThat(b.version()).isEqualTo(NebulaVersion.MINIMUM);
    }

    @Test
    void tooOldVersionIsRefusedWithAClearMessage() throws IOException {
        Path old = fakeNebula(tmp.resolve("old"), "1.2.0");
        assertThatThrownBy(() -> NebulaBinary.locate(old, Map.of()))
                .isInstanceOf(OverlayException.class)
                .hasMessageContaining("1.2.0").hasMessageContaining("needs Nebula 1.6.0 or newer");
    }

    @Test
    void missingBinaryIsExplained() {
        assertThatThrownBy(() -> NebulaBinary.locate(null, Map.of("PATH", tmp.toString())))
                .isInstanceOf(OverlayException.class).hasMessageContaining("no nebula binary found")
                .hasMessageContaining("NEBULA_BIN");
        assertThatThrownBy(() -> NebulaBinary.locate(tmp.resolve("nope"), Map.of()))
                .isInstanceOf(OverlayException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> NebulaBinary.locate(null, Map.of("NEBULA_BIN", tmp.resolve("gone").toString(), "PATH", "/usr/bin")))
                .as("a named binary that is missing is an error, not a reason to fall back to PATH")
                .isInstanceOf(OverlayException.class).hasMessageContaining("NEBULA_BIN");
    }

    @Test
    void nonExecutableFileIsRefused() throws IOException {
        Path f = Files.writeString(tmp.resolve("nebula"), "not a program");
        assertThatThrownBy(() -> NebulaBinary.locate(f, Map.of()))
                .isInstanceOf(OverlayException.class).hasMessageContaining("not an executable");
    }

    @Test
    void binaryThatIsNotNebulaIsRefused() throws IOException {
        Path script = tmp.resolve("nebula");
        Files.writeString(script, "#!/bin/sh\necho hello\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        assertThatThrownBy(() -> NebulaBinary.locate(script, Map.of()))
                .isInstanceOf(OverlayException.class).hasMessageContaining("printed no 'Version: X.Y.Z' line");
    }
}
