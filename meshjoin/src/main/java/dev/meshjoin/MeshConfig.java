package dev.meshjoin;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.secret.SecretSource;
import dev.meshjoin.api.secret.SecretValue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a node is configured with outside code, read the same way by {@code meshctl up}
 * (flags, {@code --config FILE}, environment) and by a worker's main ({@link #fromEnvironment()}).
 * Every value is optional here; {@link MeshJoin.Builder#build()} says which ones a node needs.
 *
 * <pre>{@code
 * MeshNode node = MeshJoin.builder().config(MeshConfig.fromEnvironment()).build();
 * }</pre>
 *
 * <p>Settings ({@link Setting}) have a key, used by flags and config files ({@code state-dir}), and
 * an environment variable ({@code MESH_STATE_DIR}). Secrets come only from the environment or
 * from files ({@code MESH_SECRET} or {@code MESH_SECRET_FILE}, {@code MESH_CA_PASSPHRASE[_FILE]},
 * {@code MESH_TOKEN[_FILE]}), never from flags or config files, which end up in shell histories,
 * process lists and repositories.
 *
 * @param nodeName this node's name
 * @param store the bootstrap store URI
 * @param network the network's name
 * @param stateDirectory where the node keeps its key, certificate and pid files
 * @param publicEndpoint where peers reach this node's overlay port; set on nodes that may found or serve
 * @param signingPort the signing service's port on a lighthouse
 * @param cidr the overlay network a founder creates
 * @param groups the groups this node asks for
 * @param nebulaBinary the nebula executable, or null for {@code PATH}
 * @param overlayTimeout how long to wait for a peer to answer over the overlay
 * @param joinTimeout how long the whole join may take
 * @param certificateValidity the lifetime of the certificates this node issues as founder or lighthouse
 * @param networkSecret the secret every member knows
 * @param caPassphrase seals the CA key; on nodes that may found or serve
 * @param enrollmentToken a one-node credential instead of the network secret
 * @param caFingerprints the network CA this node trusts, pinned from outside the store (empty: the
 *     enrollment token's, the state directory's, or the one the network secret's MAC vouches for)
 */
public record MeshConfig(String nodeName, String store, String network, Path stateDirectory, Endpoint publicEndpoint,
                         int signingPort, Ipv4Cidr cidr, List<String> groups, Path nebulaBinary, Duration overlayTimeout,
                         Duration joinTimeout, Duration certificateValidity, SecretValue networkSecret, SecretValue caPassphrase,
                         SecretValue enrollmentToken, List<String> caFingerprints) {

    /** The network secret's variable. */
    public static final String SECRET = "MESH_SECRET";
    /** The CA passphrase's variable. */
    public static final String CA_PASSPHRASE = "MESH_CA_PASSPHRASE";
    /** The enrollment token's variable. */
    public static final String TOKEN = "MESH_TOKEN";
    /** The original worker agent's name for the network secret, read when {@code MESH_SECRET} is unset. */
    public static final String LEGACY_SECRET = "VPN_ENCRYPTION_KEY";

    /** The settings that are not secrets: their key (flags, config files), variable and default. */
    public enum Setting {
        NAME("name", "MESH_NAME", null, "this node's name (a DNS label)"),
        STORE("store", "MESH_STORE", null, "the bootstrap store URI, such as file:/var/lib/meshjoin/store"),
        STATE_DIR("state-dir", "MESH_STATE_DIR", null, "where this node keeps its key, certificate and pid"),
        PUBLIC_ENDPOINT("public-endpoint", "MESH_PUBLIC_ENDPOINT", null,
                "HOST:PORT where peers reach this node's Nebula port; the signing service listens on the same host"),
        SIGNING_PORT("signing-port", "MESH_SIGNING_PORT", "8444", "the signing service's port on a lighthouse"),
        NETWORK("network", "MESH_NETWORK", "mesh", "the network name"),
        CIDR("cidr", "MESH_CIDR", "10.42.0.0/16", "the overlay network a founder creates"),
        GROUPS("groups", "MESH_GROUPS", "", "comma-separated groups this node asks for"),
        NEBULA("nebula", "NEBULA_BIN", null, "path of the nebula binary (default: PATH)"),
        OVERLAY_TIMEOUT("overlay-timeout", "MESH_OVERLAY_TIMEOUT", "30s",
                "how long to wait for a peer to answer over the overlay"),
        JOIN_TIMEOUT("join-timeout", "MESH_JOIN_TIMEOUT", "2m", "how long the whole join may take"),
        CA_FINGERPRINT("ca-fingerprint", "MESH_CA_FINGERPRINT", null, "the network CA's fingerprint (or several,"
                + " comma-separated, during a CA rotation): the store must be signed by it; meshctl ca fingerprint prints it"),
        CERT_VALIDITY("cert-validity", "MESH_CERT_VALIDITY", "720h", "lifetime of the certificates a founder or"
                + " lighthouse issues (at least 1m); nodes renew at two thirds of it");

        private final String key;
        private final String variable;
        private final String defaultValue;
        private final String help;

        Setting(String key, String variable, String defaultValue, String help) {
            this.key = key;
            this.variable = variable;
            this.defaultValue = defaultValue;
            this.help = help;
        }

        /** The flag and config-file key, such as {@code state-dir}. */
        public String key() {
            return key;
        }

        /** The environment variable, such as {@code MESH_STATE_DIR}. */
        public String variable() {
            return variable;
        }

        /** The default, or null when there is none. */
        public String defaultValue() {
            return defaultValue;
        }

        /** One line for usage texts. */
        public String help() {
            return help;
        }

        /** The setting with this key, if any. */
        public static Optional<Setting> byKey(String key) {
            return Arrays.stream(values()).filter(s -> s.key.equals(key)).findFirst();
        }
    }

    public MeshConfig {
        groups = groups == null ? List.of() : List.copyOf(groups);
        caFingerprints = caFingerprints == null ? List.of() : List.copyOf(caFingerprints);
    }

    /** The configuration of this process's environment. */
    public static MeshConfig fromEnvironment() {
        return fromEnvironment(System.getenv(), Path.of("").toAbsolutePath());
    }

    /**
     * The configuration in {@code env}; relative paths are resolved against {@code workingDirectory}.
     * {@code WORKER_ID} (the original worker agent's name) stands for {@code MESH_NAME} when that is unset.
     */
    public static MeshConfig fromEnvironment(Map<String, String> env, Path workingDirectory) {
        return of(settingsOf(env), SecretSource.of(env), workingDirectory);
    }

    /** The settings {@code env} sets, by key. */
    public static Map<String, String> settingsOf(Map<String, String> env) {
        Map<String, String> settings = new HashMap<>();
        for (Setting s : Setting.values()) {
            String v = env.get(s.variable);
            if (v != null && !v.isEmpty()) {
                settings.put(s.key, v);
            }
        }
        if (!settings.containsKey(Setting.NAME.key) && env.get("WORKER_ID") != null && !env.get("WORKER_ID").isEmpty()) {
            settings.put(Setting.NAME.key, env.get("WORKER_ID"));
        }
        return settings;
    }

    /**
     * The configuration of {@code settings} (by {@link Setting#key()}; unset keys take their
     * default) with the secrets of {@code secrets}.
     *
     * @throws ConfigurationException naming the setting when a value does not parse, or a key is unknown
     */
    public static MeshConfig of(Map<String, String> settings, SecretSource secrets, Path workingDirectory) {
        for (String key : settings.keySet()) {
            if (Setting.byKey(key).isEmpty()) {
                throw new ConfigurationException("unknown setting '" + key + "'; known: " + Arrays.stream(Setting.values())
                        .map(Setting::key).toList());
            }
        }
        Values v = new Values(settings);
        return new MeshConfig(v.get(Setting.NAME), v.get(Setting.STORE), v.get(Setting.NETWORK),
                v.path(Setting.STATE_DIR, workingDirectory),
                v.parse(Setting.PUBLIC_ENDPOINT, Endpoint::parse), v.parse(Setting.SIGNING_PORT, MeshConfig::port),
                v.parse(Setting.CIDR, Ipv4Cidr::parse), v.parse(Setting.GROUPS, MeshConfig::csv),
                v.path(Setting.NEBULA, workingDirectory),
                v.parse(Setting.OVERLAY_TIMEOUT, MeshConfig::parseDuration),
                v.parse(Setting.JOIN_TIMEOUT, MeshConfig::parseDuration),
                v.parse(Setting.CERT_VALIDITY, MeshConfig::certificateValidity),
                secrets.read(SECRET).or(() -> secrets.read(LEGACY_SECRET)).orElse(null),
                secrets.read(CA_PASSPHRASE).filter(s -> !s.isEmpty()).orElse(null),
                secrets.read(TOKEN).filter(s -> !s.isEmpty()).orElse(null),
                v.parse(Setting.CA_FINGERPRINT, text -> dev.meshjoin.core.trust.CaFingerprint.list(text,
                        "the value")));
    }

    /** Warnings the secrets' readers noticed (a secret file others can read), for the operator. */
    public List<String> warnings() {
        return java.util.stream.Stream.of(networkSecret, caPassphrase, enrollmentToken)
                .filter(java.util.Objects::nonNull).flatMap(s -> s.warnings().stream()).toList();
    }

    /**
     * A duration as Go's {@code time.ParseDuration} writes it ({@code 30s}, {@code 2m}, {@code 1h30m},
     * {@code 1.5h}, {@code 0}), which nebula and operators use.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static Duration parseDuration(String text) {
        return GoDurations.parse(text);
    }

    private static Duration certificateValidity(String text) {
        Duration d = parseDuration(text);
        if (d.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("'" + text + "' is below 1m; renewal at two thirds of a certificate's"
                    + " lifetime needs at least a minute");
        }
        return d;
    }

    private static int port(String text) {
        try {
            int p = Integer.parseInt(text.strip());
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("'" + text + "' is not a port (1..65535)");
    }

    private static List<String> csv(String value) {
        return value.isBlank() ? List.of()
                : Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** Settings with their defaults, parsed with the setting named in every refusal. */
    private record Values(Map<String, String> given) {
        String get(Setting s) {
            String v = given.get(s.key);
            return v == null || v.isEmpty() ? s.defaultValue : v;
        }

        Path path(Setting s, Path base) {
            String v = get(s);
            return v == null ? null : base.resolve(v);
        }

        <T> T parse(Setting s, java.util.function.Function<String, T> parser) {
            String v = get(s);
            if (v == null) {
                return null;
            }
            try {
                return parser.apply(v);
            } catch (RuntimeException e) {
                throw new ConfigurationException(s.key + " (" + s.variable + "): " + e.getMessage(), e);
            }
        }
    }
}
