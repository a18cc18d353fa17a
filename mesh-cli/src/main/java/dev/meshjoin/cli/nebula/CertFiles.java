package dev.meshjoin.cli.nebula;

import dev.meshjoin.cli.CliException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * File handling shared by the certificate commands: reads with a clear refusal when a file is
 * missing, and writes that never overwrite and create files readable by the owner only (0600),
 * as nebula-cert does for keys and certificates alike.
 */
final class CertFiles {
    private CertFiles() {
    }

    static byte[] read(Path path, String what) {
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new CliException("cannot read the " + what + ": " + path + " does not exist");
        } catch (IOException e) {
            throw new CliException("cannot read the " + what + " " + path + ": " + e.getMessage());
        }
    }

    /** Refuses when any of the paths already exists, before anything is written. */
    static void requireAbsent(String what, Path... paths) {
        for (Path p : paths) {
            if (p != null && Files.exists(p)) {
                throw new CliException("refusing to overwrite existing " + what + ": " + p);
            }
        }
    }

    /** Creates {@code path} with mode 0600 and writes it; refuses when it exists. */
    static void writeNew(Path path, byte[] content) {
        try {
            try {
                Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(path);
            }
            try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(content);
            }
        } catch (FileAlreadyExistsException e) {
            throw new CliException("refusing to overwrite existing file: " + path);
        } catch (IOException e) {
            throw new CliException("cannot write " + path + ": " + e.getMessage());
        }
    }

    /** Splits nebula-cert's comma separated lists: items trimmed, empty ones dropped. */
    static List<String> list(String value) {
        List<String> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        for (String part : value.split(",")) {
            String t = part.trim();
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }
}
