package dev.meshjoin.cli;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Runs meshctl in-process, as the shell would, and keeps what it printed. */
record Run(int status, String out, String err) {

    static Run meshctl(Path dir, Map<String, String> env, String... args) {
        return with(new Meshctl(), dir, env, args);
    }

    static Run with(Meshctl meshctl, Path dir, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = meshctl.run(new Invocation(List.of(args), InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env, dir));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
