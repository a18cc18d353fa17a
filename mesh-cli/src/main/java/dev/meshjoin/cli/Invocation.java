package dev.meshjoin.cli;

import dev.meshjoin.api.secret.SecretSource;
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
        // The process environment is kept as is, so SecretSource recognises it and reads secrets
        // as the raw bytes the process was started with, whatever the locale.
        env = env == System.getenv() ? env : Map.copyOf(env);
    }

    /** The secrets of this invocation's environment: {@code NAME} or {@code NAME_FILE}. */
    public SecretSource secrets() {
        return SecretSource.of(env);
    }

    /** Resolves a path argument against the working directory. */
    public Path path(String value) {
        return workingDirectory.resolve(value);
    }
}
