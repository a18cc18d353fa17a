package dev.meshjoin.kv.cloudflare;

import dev.meshjoin.api.ConfigurationException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
}
