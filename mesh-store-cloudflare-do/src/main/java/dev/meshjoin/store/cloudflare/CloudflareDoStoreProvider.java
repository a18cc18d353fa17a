package dev.meshjoin.store.cloudflare;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.BootstrapStoreProvider;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Opens a {@link CloudflareDoStore} from {@code cloudflare-do:https://HOST[/PATH]} (or
 * {@code cloudflare-do:http://127.0.0.1:8787} for {@code wrangler dev}), with the token from
 * {@code MESH_STORE_TOKEN} or from the file {@code MESH_STORE_TOKEN_FILE} names. The token is
 * never taken from the URI, where it would end up in logs and shell histories.
 */
public final class CloudflareDoStoreProvider implements BootstrapStoreProvider {
    private final Map<String, String> env;

    /** The provider {@link java.util.ServiceLoader} creates; reads the process environment. */
    public CloudflareDoStoreProvider() {
        this(System.getenv());
    }

    CloudflareDoStoreProvider(Map<String, String> env) {
        this.env = Map.copyOf(env);
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
        String direct = env.get(CloudflareDoStore.ENV_TOKEN);
        String file = env.get(CloudflareDoStore.ENV_TOKEN_FILE);
        if (direct != null && !direct.isEmpty() && file != null && !file.isEmpty()) {
            throw new ConfigurationException("both " + CloudflareDoStore.ENV_TOKEN + " and " + CloudflareDoStore.ENV_TOKEN_FILE
                    + " are set; set only one");
        }
        if (direct != null && !direct.isEmpty()) {
            return direct.toCharArray();
        }
        if (file == null || file.isEmpty()) {
            throw new ConfigurationException("the cloudflare-do store needs its token: set " + CloudflareDoStore.ENV_TOKEN
                    + " (or " + CloudflareDoStore.ENV_TOKEN_FILE + ", a file holding it) to the value given to "
                    + "'wrangler secret put " + CloudflareDoStore.ENV_TOKEN + "'");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new ConfigurationException("cannot read " + CloudflareDoStore.ENV_TOKEN_FILE + " (" + file + "): " + e.getMessage());
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes));
            int end = chars.limit();
            while (end > 0 && Character.isWhitespace(chars.get(end - 1))) {
                end--; // the newline an editor or echo leaves
            }
            char[] out = new char[end];
            chars.get(out, 0, end);
            Arrays.fill(chars.array(), '\0');
            if (out.length == 0) {
                throw new ConfigurationException(CloudflareDoStore.ENV_TOKEN_FILE + " (" + file + ") is empty");
            }
            return out;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
