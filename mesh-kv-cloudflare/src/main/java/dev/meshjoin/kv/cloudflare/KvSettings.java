package dev.meshjoin.kv.cloudflare;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.secret.SecretSource;
import dev.meshjoin.api.secret.SecretValue;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The checks of the store's settings: required values and the endpoint the token may go to. */
final class KvSettings {
    private static final String CLOUDFLARE_API_HOST = "api.cloudflare.com";

    private KvSettings() {
    }

    static boolean nonBlank(String s) {
        return s != null && !s.isBlank();
    }

    static void requireAll(String accountId, String namespaceId, String apiToken) {
        List<String> missing = new ArrayList<>();
        if (!nonBlank(accountId)) {
            missing.add("account id (" + CloudflareKvStore.ENV_ACCOUNT_ID + ")");
        }
        if (!nonBlank(namespaceId)) {
            missing.add("namespace id (" + CloudflareKvStore.ENV_NAMESPACE_ID + ")");
        }
        if (!nonBlank(apiToken)) {
            missing.add("API token (" + CloudflareKvStore.ENV_API_TOKEN + " or " + CloudflareKvStore.ENV_API_TOKEN_FILE
                    + ")");
        }
        if (!missing.isEmpty()) {
            throw new ConfigurationException("the Cloudflare KV store needs " + String.join(", ", missing)
                    + "; set them on the builder or in the environment");
        }
    }

    /**
     * The endpoint without a trailing slash, when the token may go there: {@code https://api.cloudflare.com}
     * or a loopback address; any other https host only when the user allowed it.
     */
    static URI checkEndpoint(URI u, boolean allowOther) {
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
        if (u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null || host.isEmpty()) {
            throw new ConfigurationException("the Cloudflare API endpoint must be a plain URL such as "
                    + CloudflareKvStore.DEFAULT_BASE_URL + ", without user, query or fragment; got " + redacted(u));
        }
        boolean loopback = isLoopback(host);
        boolean cloudflare = scheme.equals("https") && host.equals(CLOUDFLARE_API_HOST)
                && (u.getPort() == -1 || u.getPort() == 443);
        if (!scheme.equals("https") && !(scheme.equals("http") && loopback)) {
            // The API token travels in a header: never in clear text off this machine.
            throw new ConfigurationException("the Cloudflare API endpoint must be https (plain http only to loopback, "
                    + "for tests), got " + redacted(u));
        }
        if (!cloudflare && !loopback && !allowOther) {
            throw new ConfigurationException("the Cloudflare API endpoint " + redacted(u) + " is neither "
                    + "https://" + CLOUDFLARE_API_HOST + " nor a loopback address, and the API token would be sent to it. "
                    + "If you trust that host, add allow-endpoint=true to the store URI (or allowEndpoint(true))");
        }
        String s = u.toString();
        return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : u;
    }

    static boolean isLoopback(String host) {
        return host.equals("localhost") || host.equals("[::1]") || host.equals("::1") || host.matches("127(\\.\\d{1,3}){3}");
    }

    private static String redacted(URI u) {
        return u.getScheme() + "://" + u.getHost() + (u.getPort() == -1 ? "" : ":" + u.getPort()) + "/...";
    }

    /** What the environment gives; null where a variable is unset or blank. */
    record FromEnvironment(String accountId, String namespaceId, String apiToken, String tokenSource) {
    }

    /**
     * {@code CLOUDFLARE_ACCOUNT_ID}, {@code CLOUDFLARE_KV_NAMESPACE_ID}, and {@code CLOUDFLARE_API_TOKEN}
     * or {@code CLOUDFLARE_API_TOKEN_FILE} (Docker secrets, systemd credentials).
     */
    static FromEnvironment fromEnvironment(Map<String, String> env) {
        String account = nonBlank(env.get(CloudflareKvStore.ENV_ACCOUNT_ID)) ? env.get(CloudflareKvStore.ENV_ACCOUNT_ID).trim() : null;
        String namespace = nonBlank(env.get(CloudflareKvStore.ENV_NAMESPACE_ID))
                ? env.get(CloudflareKvStore.ENV_NAMESPACE_ID).trim() : null;
        Optional<SecretValue> token = SecretSource.of(env).read(CloudflareKvStore.ENV_API_TOKEN);
        if (token.isEmpty() || !nonBlank(token.get().string())) {
            return new FromEnvironment(account, namespace, null, null);
        }
        String origin = token.get().origin().equals(CloudflareKvStore.ENV_API_TOKEN)
                ? "the environment variable " + CloudflareKvStore.ENV_API_TOKEN : token.get().origin();
        return new FromEnvironment(account, namespace, token.get().string().trim(), origin);
    }

    static long atLeastOne(String setting, long v) {
        if (v < 1) {
            throw new ConfigurationException(setting + " must be at least 1, got " + v);
        }
        return v;
    }

    static void checkBackoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new ConfigurationException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
    }
}
