package dev.meshjoin.store.cloudflare;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.BootstrapStoreProvider;
import dev.meshjoin.api.secret.SecretSource;
import dev.meshjoin.api.secret.SecretValue;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.Map;

/**
 * Opens a {@link CloudflareDoStore} from {@code cloudflare-do:https://HOST[/PATH]} (or
 * {@code cloudflare-do:http://127.0.0.1:8787} for {@code wrangler dev}), with the token from
 * {@code MESH_STORE_TOKEN} or from the file {@code MESH_STORE_TOKEN_FILE} names (read by
 * {@link SecretSource}, as every secret of meshjoin). The token is
 * never taken from the URI, where it would end up in logs and shell histories.
 */
public final class CloudflareDoStoreProvider implements BootstrapStoreProvider {
    private final Map<String, String> env;

    /** The provider {@link java.util.ServiceLoader} creates; reads the process environment. */
    public CloudflareDoStoreProvider() {
        this(System.getenv());
    }

    CloudflareDoStoreProvider(Map<String, String> env) {
        // The process environment stays itself, so SecretSource reads the token as raw UTF-8 bytes.
        this.env = env == System.getenv() ? env : Map.copyOf(env);
    }

    @Override
    public String scheme() {
        return "cloudflare-do";
    }

    @Override
    public BootstrapStore open(URI uri) {
        if (!scheme().equalsIgnoreCase(uri.getScheme()) || !uri.isOpaque()) {
            throw new ConfigurationException("expected cloudflare-do:https://HOST[/PATH], got " + uri);
        }
        URI worker;
        try {
            worker = new URI(uri.getRawSchemeSpecificPart() + (uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment()));
        } catch (URISyntaxException e) {
            throw new ConfigurationException("expected cloudflare-do:https://HOST[/PATH], got " + uri + ": " + e.getMessage());
        }
        CloudflareDoStore.Builder b = CloudflareDoStore.builder().endpoint(worker); // the URI first: its errors say more
        char[] token = token();
        try {
            return b.token(token).build();
        } finally {
            Arrays.fill(token, '\0');
        }
    }

    private char[] token() {
        SecretValue token = SecretSource.of(env).require(CloudflareDoStore.ENV_TOKEN,
                "the cloudflare-do store's token (the value given to 'wrangler secret put " + CloudflareDoStore.ENV_TOKEN + "')");
        try {
            if (token.isEmpty()) {
                throw new ConfigurationException(token.origin() + " is empty; set it to the value given to 'wrangler secret put "
                        + CloudflareDoStore.ENV_TOKEN + "'");
            }
            return token.chars();
        } finally {
            token.wipe();
        }
    }
}
