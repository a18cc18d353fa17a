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
        List<String> args = invocation.args();
        if (args.isEmpty() || args.get(0).equals("help") || args.get(0).equals("-h") || args.get(0).equals("--help")) {
            PrintStream out = args.isEmpty() ? invocation.err() : invocation.out();
            out.println("usage: meshctl <command> [flags]");
            commands.values().forEach(c -> out.printf("  %-10s %s%n", c.name(), c.summary()));
            return args.isEmpty() ? 2 : 0;
        }
        Command command = commands.get(args.get(0));
        if (command == null) {
            invocation.err().println("meshctl: unknown command '" + oneLine(args.get(0)) + "'; run meshctl help");
            return 2;
        }
        Invocation rest = new Invocation(args.subList(1, args.size()), invocation.in(), invocation.out(),
                invocation.err(), invocation.env(), invocation.workingDirectory());
        try {
            return command.run(rest);
        } catch (CliException e) {
            invocation.err().println(e.getMessage());
            return e.status();
        } catch (MeshException e) {
            invocation.err().println(command.name() + ": " + oneLine(e.getMessage()));
            return 1;
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            invocation.err().println(command.name() + ": " + oneLine(String.valueOf(e.getMessage())));
            return 1;
        } catch (Exception e) {
            invocation.err().println(command.name() + ": unexpected " + e.getClass().getSimpleName() + ": "
                    + oneLine(String.valueOf(e.getMessage())));
            return 1;
        }
    }

    /** The commands found, by name. */
    public Map<String, Command> commands() {
        return Map.copyOf(commands);
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    /** For tests: runs with the given stdin and captures nothing. */
    static InputStream emptyInput() {
        return InputStream.nullInputStream();
    }
}
