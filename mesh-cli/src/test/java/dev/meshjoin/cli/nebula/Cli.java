package dev.meshjoin.cli.nebula;

import dev.meshjoin.cli.Invocation;
import dev.meshjoin.cli.Meshctl;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Runs meshctl in-process in a directory and captures what it prints. */
final class Cli {
    record Result(int status, String out, String err) {
    }

    private Cli() {
    }

    static Result meshctl(Path dir, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Meshctl().run(new Invocation(List.of(args), InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of(), dir));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
