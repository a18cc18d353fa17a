package dev.meshjoin.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small flag parser in the style of Go's {@code flag} package, which nebula-cert uses: flags are
 * written {@code -name value}, {@code -name=value} or with two dashes; boolean flags take no value
 * (or {@code =true}/{@code =false}). Unknown flags and missing values are refused with one line.
 *
 * <pre>{@code
 * Flags f = new Flags("sign").string("name", "node name").bool("json", "print JSON");
 * Flags.Parsed p = f.parse(args);
 * String name = p.require("name");
 * }</pre>
 */
public final class Flags {
    private final String command;
    private final Map<String, Spec> specs = new LinkedHashMap<>();

    private record Spec(String name, boolean bool, String help, String defaultValue, boolean repeatable) {
        Spec(String name, boolean bool, String help, String defaultValue) {
            this(name, bool, help, defaultValue, false);
        }
    }

    public Flags(String command) {
        this.command = command;
    }

    /** Declares a flag that takes a value. */
    public Flags string(String name, String help) {
        return string(name, help, null);
    }

    /** Declares a flag that takes a value, with a default. */
    public Flags string(String name, String help, String defaultValue) {
        specs.put(name, new Spec(name, false, help, defaultValue));
        return this;
    }

    /** Declares a flag that takes a value and may be given more than once ({@link Parsed#all}). */
    public Flags repeatable(String name, String help) {
        specs.put(name, new Spec(name, false, help + " (repeatable)", null, true));
        return this;
    }

    /** Declares a boolean flag. */
    public Flags bool(String name, String help) {
        specs.put(name, new Spec(name, true, help, "false"));
        return this;
    }

    /** The declared flags' names, in declaration order. */
    public List<String> names() {
        return List.copyOf(specs.keySet());
    }

    /** Whether {@code name} is a declared flag that may be given more than once. */
    public boolean repeatable(String name) {
        Spec s = specs.get(name);
        return s != null && s.repeatable;
    }

    /** Whether {@code name} is a declared boolean flag. */
    public boolean isBool(String name) {
        Spec s = specs.get(name);
        return s != null && s.bool;
    }

    /** Usage text listing every flag. */
    public String usage() {
        StringBuilder sb = new StringBuilder("usage: meshctl ").append(command).append(" [flags]\n");
        for (Spec s : specs.values()) {
            sb.append("  -").append(s.name).append(s.bool ? "" : " <value>").append("\n      ").append(s.help);
            if (s.defaultValue != null && !s.bool) {
                sb.append(" (default \"").append(s.defaultValue).append("\")");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Parses arguments; anything after the flags (or after {@code --}) is positional. */
    public Parsed parse(List<String> args) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, List<String>> repeated = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                positional.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                positional.add(arg);
                continue;
            }
            String body = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
            String name = body;
            String value = null;
            int eq = body.indexOf('=');
            if (eq >= 0) {
                name = body.substring(0, eq);
                value = body.substring(eq + 1);
            }
            if (name.equals("h") || name.equals("help")) {
                throw new HelpRequest(usage().strip());
            }
            Spec spec = specs.get(name);
            if (spec == null) {
                throw new CliException(command + ": unknown flag -" + name + " (see meshctl " + command + " -help)", 2);
            }
            if (spec.bool) {
                if (value == null) {
                    value = "true";
                } else if (!value.equals("true") && !value.equals("false")) {
                    throw new CliException(command + ": flag -" + name + " takes true or false, got '" + value + "'", 2);
                }
            } else if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new CliException(command + ": flag -" + name + " needs a value", 2);
                }
                value = args.get(++i);
            }
            values.put(name, value);
            if (spec.repeatable) {
                repeated.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            }
        }
        return new Parsed(values, repeated, positional);
    }

    /** The result of {@link #parse(List)}. */
    public final class Parsed {
        private final Map<String, String> values;
        private final Map<String, List<String>> repeated;
        private final List<String> positional;

        private Parsed(Map<String, String> values, Map<String, List<String>> repeated, List<String> positional) {
            this.values = values;
            this.repeated = repeated;
            this.positional = List.copyOf(positional);
        }

        /** Every value of a repeatable flag, in order; empty when it was not given. */
        public List<String> all(String name) {
            return List.copyOf(repeated.getOrDefault(name, List.of()));
        }

        /** The value given, else the default, else null. */
        public String get(String name) {
            Spec spec = specs.get(name);
            if (spec == null) {
                throw new IllegalArgumentException("flag -" + name + " was never declared");
            }
            return values.getOrDefault(name, spec.defaultValue);
        }

        /** The value given or the default; refuses with a one-line reason when there is neither. */
        public String require(String name) {
            String v = get(name);
            if (v == null || v.isEmpty()) {
                throw new CliException(command + ": -" + name + " is required", ExitStatus.USAGE);
            }
            return v;
        }

        /**
         * The values of flags that must be given, refusing with one line that names every one
         * missing (not only the first), so an operator fixes the command line in one go.
         */
        public List<String> requireAll(String... names) {
            List<String> missing = new ArrayList<>();
            List<String> found = new ArrayList<>();
            for (String n : names) {
                String v = get(n);
                if (v == null || v.isEmpty()) {
                    missing.add("-" + n);
                }
                found.add(v);
            }
            if (!missing.isEmpty()) {
                throw new CliException(command + ": " + (missing.size() == 1 ? missing.get(0) + " is required"
                        : "missing required flags " + String.join(", ", missing)) + " (see meshctl help "
                        + command + ")", ExitStatus.USAGE);
            }
            return found;
        }

        public boolean isSet(String name) {
            return values.containsKey(name);
        }

        public boolean bool(String name) {
            return Boolean.parseBoolean(get(name));
        }

        public List<String> positional() {
            return positional;
        }

        /**
         * These flags over {@code lower} (a config file's values by flag name): a flag given here
         * wins, one only in {@code lower} counts as given; a repeatable flag takes {@code lower}'s
         * values only when it was not given here at all.
         */
        public Parsed over(Map<String, List<String>> lower) {
            Map<String, String> v = new LinkedHashMap<>();
            Map<String, List<String>> r = new LinkedHashMap<>();
            lower.forEach((name, vals) -> {
                Spec spec = specs.get(name);
                if (spec == null || vals.isEmpty()) {
                    throw new IllegalArgumentException("flag -" + name + " was never declared or has no value");
                }
                v.put(name, vals.get(vals.size() - 1));
                if (spec.repeatable) {
                    r.put(name, List.copyOf(vals));
                }
            });
            v.putAll(values);
            r.putAll(repeated);
            return new Parsed(v, r, positional);
        }
    }
}
