package dev.meshjoin.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** {@code meshctl version [--json]}: meshctl's version and the Java it runs on. */
public final class VersionCommand implements Command {

    @Override
    public String name() {
        return "version";
    }

    @Override
    public String summary() {
        return "print meshctl's version and the Java runtime it runs on";
    }

    /** The version Maven built this meshctl as, such as {@code 0.1.0}. */
    public static String version() {
        try (InputStream in = VersionCommand.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public int run(Invocation inv) throws IOException {
        Flags.Parsed p = new Flags("version").bool("json", "print one JSON object").parse(inv.args());
        if (!p.positional().isEmpty()) {
            throw new CliException("version: takes no arguments", ExitStatus.USAGE);
        }
        Map<String, String> v = new LinkedHashMap<>();
        v.put("version", version());
        v.put("java", System.getProperty("java.version"));
        v.put("vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        if (p.bool("json")) {
            inv.out().println(CliJson.write(v));
        } else {
            inv.out().println("meshctl " + v.get("version"));
            inv.out().println("java " + v.get("java") + " (" + v.get("vm") + ", " + v.get("os") + ")");
        }
        return ExitStatus.OK;
    }
}
