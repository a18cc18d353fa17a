package dev.meshjoin.kv.cloudflare;

import dev.meshjoin.api.ConfigurationException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The checks of the store's settings: required values, the token (or its file), the endpoint. */
final class KvSettings {
    private static final String CLOUDFLARE_API_HOST = "api.cloudflare.com";

    /** A token and where it came from, for messages that must not contain it. */
    record Token(String value, String source) {
        @Override
        public String toString() {
            return "Token[from " + source + "]";
        }
    }

    private KvSettings() {
    }

    static boolean nonBlank(String s) {
        return s != null && !s.isBlank();
    }

    /** The token from {@code CLOUDFLARE_API_TOKEN}, or from the file {@code CLOUDFLARE_API_TOKEN_FILE} names. */
    static Optional<Token> token(Map<String, String> env) {
        String direct = env.get(CloudflareKvStore.ENV_API_TOKEN);
        String file = env.get(CloudflareKvStore.ENV_API_TOKEN_FILE);
        if (nonBlank(direct) && nonBlank(file)) {
            throw new ConfigurationException("both " + CloudflareKvStore.ENV_API_TOKEN + " and "
                    + CloudflareKvStore.ENV_API_TOKEN_FILE + " are set; set only one of them");
        }
        if (nonBlank(direct)) {
            return Optional.of(new Token(direct.trim(), "the environment variable " + CloudflareKvStore.ENV_API_TOKEN));
        }
        if (!nonBlank(file)) {
            return Optional.empty();
        }
        Path path = Path.of(file.trim());
        String source = "the file " + path + " (" + CloudflareKvStore.ENV_API_TOKEN_FILE + ")";
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            throw new ConfigurationException("cannot read the Cloudflare API token from " + source + ": "
                    + e.getClass().getSimpleName() + "; check that the file exists and this process may read it");
        }
        if (text.isEmpty() || text.contains("\n")) {
            throw new ConfigurationException("the Cloudflare API token in " + source + " must be one non-empty line");
        }
        return Optional.of(new Token(text, source));
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
