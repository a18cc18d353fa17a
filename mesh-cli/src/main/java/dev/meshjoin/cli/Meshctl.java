package dev.meshjoin.cli;

import dev.meshjoin.api.MeshException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * {@code meshctl}, the operator's command line: {@code meshctl <command> [flags]}. Commands are
 * {@link Command}s found with {@link ServiceLoader}. Every refusal is one line on standard error
 * and a non-zero exit status.
 */
public final class Meshctl {
    private static final List<String> HELP_FLAGS = List.of("-h", "-help", "--help", "--h");
    private final Map<String, Command> commands = new TreeMap<>();

    /** A meshctl with every command on the class path. */
    public Meshctl() {
        for (Command c : ServiceLoader.load(Command.class, Meshctl.class.getClassLoader())) {
            commands.put(c.name(), c);
        }
    }

    public static void main(String[] args) {
        int status = new Meshctl().run(new Invocation(List.of(args), System.in, System.out, System.err,
                System.getenv(), Path.of("").toAbsolutePath()));
        System.exit(status);
    }

    /** Runs one invocation and returns its exit status; never throws. */
    public int run(Invocation invocation) {
        List<String> args;
        try {
            LogOptions log = LogOptions.extract(invocation.args());
            log.apply();
            args = log.rest();
        } catch (CliException e) {
            invocation.err().println(e.getMessage());
            return e.status();
        }
        if (args.isEmpty()) {
            usage(invocation.err());
            return ExitStatus.USAGE;
        }
        String first = args.get(0);
        if (first.equals("help") || HELP_FLAGS.contains(first)) {
            if (args.size() > 1 && first.equals("help")) {
                return commandHelp(invocation, args.get(1));
            }
            usage(invocation.out());
            return ExitStatus.OK;
        }
        Command command = commands.get(first);
        if (command == null) {
            invocation.err().println("meshctl: unknown command '" + oneLine(first) + "'; run meshctl help");
            return ExitStatus.USAGE;
        }
        return run(command, invocation, args.subList(1, args.size()));
    }

    private int run(Command command, Invocation invocation, List<String> args) {
        Invocation rest = new Invocation(args, invocation.in(), invocation.out(),
                invocation.err(), invocation.env(), invocation.workingDirectory());
        try {
            return command.run(rest);
        } catch (CliException e) {
            if (e.status() == ExitStatus.OK) {
                invocation.out().println(e.getMessage());
            } else {
                error(invocation.err(), command.name(), e.getMessage(), e.status());
            }
            return e.status();
        } catch (MeshException e) {
            error(invocation.err(), command.name(), command.name() + ": " + oneLine(e.getMessage()), ExitStatus.ERROR);
            return ExitStatus.ERROR;
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            error(invocation.err(), command.name(), command.name() + ": " + oneLine(String.valueOf(e.getMessage())),
                    ExitStatus.ERROR);
            return ExitStatus.ERROR;
        } catch (Exception e) {
            error(invocation.err(), command.name(), command.name() + ": unexpected " + e.getClass().getSimpleName() + ": "
                    + oneLine(String.valueOf(e.getMessage())), ExitStatus.ERROR);
            return ExitStatus.ERROR;
        }
    }

    /** {@code meshctl help <command>}: the command's summary and its flags, as {@code -help} prints them. */
    private int commandHelp(Invocation invocation, String name) {
        Command command = commands.get(name);
        if (command == null) {
            invocation.err().println("meshctl: unknown command '" + oneLine(name) + "'; run meshctl help");
            return ExitStatus.USAGE;
        }
        invocation.out().println(command.name() + ": " + command.summary());
        return run(command, invocation, List.of("-help"));
    }

    private void usage(PrintStream out) {
        out.println("usage: meshctl [-log-level LEVEL] [-log-format text|json] <command> [flags]");
        out.println();
        out.println("commands:");
        commands.values().forEach(c -> out.printf("  %-10s %s%n", c.name(), c.summary()));
        out.println("  help       this text; meshctl help <command> (or <command> -help) for a command's flags");
        out.println();
        out.println("global flags (anywhere on the line):");
        out.println("  -log-level  " + String.join(", ", LogOptions.LEVELS) + " (default " + LogOptions.DEFAULT_LEVEL + ")");
        out.println("  -log-format text or json: json writes one JSON object per line, and up's progress lines too");
        out.println();
        out.println(ExitStatus.HELP);
    }

    /** The commands found, by name. */
    public Map<String, Command> commands() {
        return Map.copyOf(commands);
    }

    /**
     * Prints the line a command ends with on an error, as it is, or with {@code -log-format json} as
     * a JSON line {@code {"time":…,"event":"error","command":…,"exit":…,"message":…}}, so that every
     * line of a JSON-format run stays one JSON object.
     */
    static void error(java.io.PrintStream err, String command, String line, int exit) {
        err.println(dev.meshjoin.cli.log.CliLogging.json()
                ? CliJson.event("error", "command", command, "exit", exit, "message", line) : line);
    }

    /**
     * Prints a warning of a command on its standard error, once: {@code COMMAND: warning: TEXT}, or
     * with {@code -log-format json} a JSON line {@code {"time":…,"event":"warning","command":…,"warning":…}}.
     */
    static void warn(java.io.PrintStream err, String command, String warning) {
        err.println(dev.meshjoin.cli.log.CliLogging.json()
                ? CliJson.event("warning", "command", command, "warning", warning)
                : command + ": warning: " + oneLine(warning));
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    /** For tests: runs with the given stdin and captures nothing. */
    static InputStream emptyInput() {
        return InputStream.nullInputStream();
    }
}
