package dev.meshjoin.cli;

import dev.meshjoin.MeshConfig;
import dev.meshjoin.MeshConfig.Setting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * {@code meshctl up --config FILE}: a YAML mapping with the same keys as the flags of
 * {@code meshctl up} ({@code name}, {@code store}, {@code state-dir}, {@code service},
 * {@code router}, {@code metrics}, {@code lighthouse-interval}, ...); a repeatable flag takes a
 * list. Secrets are refused: a config file is copied, committed and shown in reviews; secrets come
 * from {@code MESH_SECRET_FILE} and the other {@code _FILE} variables.
 *
 * <pre>
 * name: worker-1
 * store: file:/var/lib/meshjoin/store
 * state-dir: /var/lib/meshjoin/worker-1
 * groups: [workers, gpu]
 * service: [api=8080, metrics=9100/tcp]
 * </pre>
 */
final class ConfigFile {
    /** Largest file read; a config is a few lines, a large file is a wrong path. */
    static final int MAX_BYTES = 64 * 1024;

    /** Keys that would hold a secret, and the variable to use instead. */
    private static final Map<String, String> SECRET_KEYS = Map.ofEntries(
            Map.entry("secret", MeshConfig.SECRET), Map.entry("network-secret", MeshConfig.SECRET),
            Map.entry("mesh-secret", MeshConfig.SECRET), Map.entry("ca-passphrase", MeshConfig.CA_PASSPHRASE),
            Map.entry("mesh-ca-passphrase", MeshConfig.CA_PASSPHRASE), Map.entry("passphrase", MeshConfig.CA_PASSPHRASE),
            Map.entry("token", MeshConfig.TOKEN), Map.entry("enrollment-token", MeshConfig.TOKEN),
            Map.entry("mesh-token", MeshConfig.TOKEN), Map.entry("store-token", "MESH_STORE_TOKEN"),
            Map.entry("mesh-store-token", "MESH_STORE_TOKEN"), Map.entry("api-token", "CLOUDFLARE_API_TOKEN"),
            Map.entry("cloudflare-api-token", "CLOUDFLARE_API_TOKEN"),
            Map.entry("vpn-encryption-key", MeshConfig.SECRET));

    private ConfigFile() {
    }

    /** The settings in {@code file}, by flag key, for the flags {@code up} declares. */
    static Map<String, List<String>> read(Path file, Flags up) {
        String text;
        try {
            if (!Files.isRegularFile(file)) {
                throw new CliException("up: --config " + file + " " + (Files.exists(file) ? "is not a regular file"
                        : "does not exist") + "; give the path of a YAML file", 2);
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new CliException("up: --config " + file + " is over " + MAX_BYTES + " bytes; give a YAML file"
                        + " with the settings of meshctl up", 2);
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("up: cannot read --config " + file + " (" + e.getClass().getSimpleName()
                    + "); check its path and permissions", 2);
        }
        return parse(text, file.toString(), up);
    }

    /** The settings in YAML {@code text}; {@code origin} names the file in refusals. */
    static Map<String, List<String>> parse(String text, String origin, Flags up) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (MarkedYAMLException e) {
            throw new CliException("up: " + origin + " is not valid YAML at line " + (e.getProblemMark().getLine() + 1)
                    + ": " + e.getProblem() + "; write one 'key: value' per line", 2);
        } catch (YAMLException e) {
            throw new CliException("up: " + origin + " is not valid YAML (" + Meshctl.oneLine(e.getMessage())
                    + "); write one 'key: value' per line", 2);
        }
        if (root == null) {
            return Map.of();
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new CliException("up: " + origin + " must be a YAML mapping of settings (key: value), not a "
                    + kind(root), 2);
        }
        List<String> known = up.names().stream().filter(k -> !k.equals("config") && !SECRET_KEYS.containsKey(k)).toList();
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            String normal = key.toLowerCase(Locale.ROOT).replace('_', '-');
            String variable = SECRET_KEYS.get(normal);
            if (variable != null || normal.endsWith("-file") && SECRET_KEYS.containsKey(normal.substring(0, normal.length() - 5))) {
                String v = variable != null ? variable : SECRET_KEYS.get(normal.substring(0, normal.length() - 5));
                throw new CliException("up: " + origin + " sets '" + key + "', a secret; secrets never go in a config"
                        + " file: put it in a file of its own (chmod 600) and set " + v + "_FILE to its path, or set "
                        + v + " in the environment", 2);
            }
            if (!known.contains(key)) {
                throw new CliException("up: " + origin + " sets '" + key + "', which is not a setting of meshctl up;"
                        + " known: " + String.join(", ", known), 2);
            }
            out.put(key, values(key, e.getValue(), origin, up));
        }
        return out;
    }

    private static List<String> values(String key, Object v, String origin, Flags up) {
        if (v instanceof List<?> list && up.repeatable(key)) {
            if (list.isEmpty()) {
                throw new CliException("up: " + origin + ": '" + key + "' is an empty list; leave it out instead", 2);
            }
            List<String> out = new java.util.ArrayList<>();
            for (Object item : list) {
                if (item instanceof Map || item instanceof List || item == null) {
                    throw new CliException("up: " + origin + ": '" + key + "' must be a list of values, one per "
                            + "-" + key + " flag", 2);
                }
                out.add(String.valueOf(item));
            }
            return out;
        }
        if (up.isBool(key) && !(v instanceof Boolean)) {
            throw new CliException("up: " + origin + ": '" + key + "' takes true or false, not " + kind(v), 2);
        }
        return List.of(value(key, v, origin));
    }

    private static String value(String key, Object v, String origin) {
        if (v instanceof List<?> list && key.equals(Setting.GROUPS.key())) {
            for (Object item : list) {
                if (item instanceof Map || item instanceof List || item == null) {
                    throw new CliException("up: " + origin + ": groups must be a list of names", 2);
                }
            }
            return list.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        if (v == null || v instanceof Map || v instanceof List || v instanceof byte[]) {
            throw new CliException("up: " + origin + ": '" + key + "' must be a single value, not " + kind(v), 2);
        }
        return String.valueOf(v);
    }

    private static String kind(Object v) {
        return v == null ? "an empty value" : v instanceof Map ? "a mapping" : v instanceof List ? "a list"
                : "a " + v.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }
}
