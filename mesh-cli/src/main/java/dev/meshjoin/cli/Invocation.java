package dev.meshjoin.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a command runs with: its arguments and the process's streams, environment and working
 * directory, passed in rather than read from globals so tests can run commands in-process.
 */
public record Invocation(List<String> args, InputStream in, PrintStream out, PrintStream err,
                         Map<String, String> env, Path workingDirectory) {

    public Invocation {
        args = List.copyOf(args);
        env = Map.copyOf(env);
    }

    /** Resolves a path argument against the working directory. */
    public Path path(String value) {
        return workingDirectory.resolve(value);
    }
}
