package dev.meshjoin.kv.cloudflare;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.BootstrapStoreProvider;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;

/**
 * Opens a {@link CloudflareKvStore} from a URI, for hosts and {@code meshctl} that name the store
 * by text:
 *
 * <ul>
 *   <li>{@code cloudflare-kv:env} — account, namespace and token all from the environment
 *       ({@code CLOUDFLARE_ACCOUNT_ID}, {@code CLOUDFLARE_KV_NAMESPACE_ID},
 *       {@code CLOUDFLARE_API_TOKEN}, or {@code CLOUDFLARE_API_TOKEN_FILE} naming a file that holds it);</li>
 *   <li>{@code cloudflare-kv://ACCOUNT_ID/NAMESPACE_ID} — the ids in the URI, the token from the
 *       environment.</li>
 * </ul>
 * Optional query parameters: {@code endpoint} (the API base URL: {@code https://api.cloudflare.com/...}
 * or a loopback address, for a local server), {@code allow-endpoint=true} (accept an https endpoint
 * on another host, which then receives the API token) and {@code propagation} (an ISO-8601 duration
 * such as {@code PT60S}). The API token is never taken from a URI, where it would end up in logs and
 * shell histories; it comes from {@code CLOUDFLARE_API_TOKEN} or the file named by
 * {@code CLOUDFLARE_API_TOKEN_FILE}.
 */
public final class CloudflareKvStoreProvider implements BootstrapStoreProvider {

    private final Map<String, String> env;

    /** The provider {@link java.util.ServiceLoader} creates; reads the process environment. */
    public CloudflareKvStoreProvider() {
        this(System.getenv());
    }

    CloudflareKvStoreProvider(Map<String, String> env) {
        // The process environment stays itself, so the token is read as raw UTF-8 bytes.
        this.env = env == System.getenv() ? env : Map.copyOf(env);
    }

    @Override
    public String scheme() {
        return "cloudflare-kv";
    }

    @Override
    public BootstrapStore open(URI uri) {
        if (!scheme().equalsIgnoreCase(uri.getScheme())) {
            throw new ConfigurationException("not a cloudflare-kv URI: " + uri.getScheme() + ":...");
        }
        if (uri.getRawUserInfo() != null) {
            throw new ConfigurationException("a cloudflare-kv URI must not carry credentials; put the API token in "
                    + CloudflareKvStore.ENV_API_TOKEN);
        }
        CloudflareKvStore.Builder b = CloudflareKvStore.builder();
        if (!uri.isOpaque() && uri.getHost() == null) {
            throw new ConfigurationException("expected cloudflare-kv://ACCOUNT_ID/NAMESPACE_ID with the account id as "
                    + "host, or cloudflare-kv:env");
        }
        if (!uri.isOpaque() && uri.getHost() != null) {
            b.accountId(uri.getHost());
            String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
            if (path.isEmpty() || path.contains("/")) {
                throw new ConfigurationException("expected cloudflare-kv://ACCOUNT_ID/NAMESPACE_ID, got a path of '"
                        + path + "'");
            }
            b.namespaceId(path);
        } else if (uri.isOpaque() && !uri.getSchemeSpecificPart().split("\\?", 2)[0].equals("env")) {
            throw new ConfigurationException("expected cloudflare-kv:env (everything from the environment) or "
                    + "cloudflare-kv://ACCOUNT_ID/NAMESPACE_ID, got " + uri.getScheme() + ":"
                    + uri.getSchemeSpecificPart().split("\\?", 2)[0]);
        }
        Map<String, String> query = query(uri);
        if (query.containsKey("endpoint")) {
            b.baseUrl(URI.create(query.get("endpoint")));
        }
        if (query.containsKey("allow-endpoint")) {
            String allow = query.get("allow-endpoint");
            if (!allow.equals("true") && !allow.equals("false")) {
                throw new ConfigurationException("allow-endpoint must be true or false, got '" + allow + "'");
            }
            b.allowEndpoint(Boolean.parseBoolean(allow));
        }
        if (query.containsKey("propagation")) {
            try {
                b.propagationBound(Duration.parse(query.get("propagation")));
            } catch (DateTimeParseException e) {
                throw new ConfigurationException("propagation must be an ISO-8601 duration such as PT60S, got '"
                        + query.get("propagation") + "'");
            }
        }
        return b.fromEnvironment(env).build();
    }

    private static Map<String, String> query(URI uri) {
        String raw;
        if (uri.isOpaque()) {
            String[] ssp = uri.getRawSchemeSpecificPart().split("\\?", 2);
            raw = ssp.length == 2 ? ssp[1] : null;
        } else {
            raw = uri.getRawQuery();
        }
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                throw new ConfigurationException("query parameter '" + pair + "' has no value");
            }
            String k = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
            if (!k.equals("endpoint") && !k.equals("propagation") && !k.equals("allow-endpoint")) {
                throw new ConfigurationException("unknown query parameter '" + k
                        + "'; accepted: endpoint, allow-endpoint, propagation");
            }
            out.put(k, URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }
}
