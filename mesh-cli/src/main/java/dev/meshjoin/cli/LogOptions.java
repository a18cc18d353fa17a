package dev.meshjoin.cli;

import dev.meshjoin.cli.log.CliLogging;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The global flags {@code -log-level LEVEL} and {@code -log-format text|json}, accepted anywhere on
 * the command line before {@code --} (in any of the flag forms {@link Flags} takes), and the rest
 * of the arguments without them.
 *
 * @param level error, warn, info, debug or trace
 * @param format text or json
 * @param rest the arguments with the log flags taken out
 */
public record LogOptions(String level, String format, List<String> rest) {
    /** The levels, most severe first. */
    public static final List<String> LEVELS = List.of("error", "warn", "info", "debug", "trace");
    public static final String DEFAULT_LEVEL = "info";
    public static final List<String> FORMATS = List.of("text", "json");

    public LogOptions {
        rest = List.copyOf(rest);
    }

    /** Takes the log flags out of {@code args}; refuses unknown values with exit status 2. */
    public static LogOptions extract(List<String> args) {
        String level = null;
        String format = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                rest.addAll(args.subList(i, args.size()));
                break;
            }
            String body = arg.startsWith("--") ? arg.substring(2) : arg.startsWith("-") ? arg.substring(1) : null;
            String name = body == null ? null : body.contains("=") ? body.substring(0, body.indexOf('=')) : body;
            if (!"log-level".equals(name) && !"log-format".equals(name)) {
                rest.add(arg);
                continue;
            }
            String value;
            if (body.contains("=")) {
                value = body.substring(body.indexOf('=') + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new CliException("meshctl: flag -" + name + " needs a value", ExitStatus.USAGE);
            }
            value = value.toLowerCase(Locale.ROOT);
            if (name.equals("log-level")) {
                level = check(name, value, LEVELS);
            } else {
                format = check(name, value, FORMATS);
            }
        }
        return new LogOptions(level == null ? DEFAULT_LEVEL : level, format == null ? "text" : format, rest);
    }

    private static String check(String flag, String value, List<String> allowed) {
        if (!allowed.contains(value)) {
            throw new CliException("meshctl: -" + flag + " takes one of " + String.join(", ", allowed) + ", got '"
                    + Meshctl.oneLine(value) + "'", ExitStatus.USAGE);
        }
        return value;
    }

    /** Whether output meant for machines is asked for: JSON lines. */
    public boolean json() {
        return format.equals("json");
    }

    /**
     * Configures the logging backend of this process to these options. The defaults are what the
     * backend starts with, so a command run without log flags does not initialise logging early.
     */
    public void apply() {
        if (!level.equals(DEFAULT_LEVEL) || json() || CliLogging.json()) {
            CliLogging.configure(level, json());
        }
    }
}
