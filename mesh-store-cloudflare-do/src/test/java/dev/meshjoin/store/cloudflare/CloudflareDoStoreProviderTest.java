package dev.meshjoin.store.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.StoreException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** URI, transport and token rules of {@code cloudflare-do:} stores; nothing here sends a request. */
class CloudflareDoStoreProviderTest {
    private static final Map<String, String> TOKEN = Map.of("MESH_STORE_TOKEN", "a-token-of-sixteen-chars");

    @TempDir
    Path dir;

    private static BootstrapStore open(String uri, Map<String, String> env) {
        return new CloudflareDoStoreProvider(env).open(URI.create(uri));
    }

    @Test
    void opensHttpsAnywhereAndHttpOnlyOnLoopback() {
        assertThat(open("cloudflare-do:https://meshjoin-store.example.workers.dev", TOKEN).name())
                .isEqualTo("cloudflare-do:https://meshjoin-store.example.workers.dev");
        assertThat(open("cloudflare-do:https://example.com/meshjoin/", TOKEN).name()).endsWith("example.com/meshjoin");
        for (String loopback : new String[] {"http://127.0.0.1:8787", "http://127.3.2.1:8787", "http://localhost:8787",
                "http://[::1]:8787"}) {
            assertThat(open("cloudflare-do:" + loopback, TOKEN).consistency().isLinearizable()).as(loopback).isTrue();
        }
        for (String remote : new String[] {"http://192.0.2.1:8787", "http://example.com", "http://10.0.0.1",
                "http://127.0.0.1.example.com", "http://[::ffff:192.0.2.1]"}) {
            assertThatThrownBy(() -> open("cloudflare-do:" + remote, TOKEN)).as(remote)
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("loopback").hasMessageContaining("https://");
        }
    }

    @Test
    void refusesUrisThatAreNotAWorkerUrl() {
        for (String bad : new String[] {"cloudflare-do:ftp://h", "cloudflare-do:h:8787", "cloudflare-do://h",
                "cloudflare-do:https://user:pw@h", "cloudflare-do:https://h?token=x", "cloudflare-do:https://h#x"}) {
            assertThatThrownBy(() -> open(bad, TOKEN)).as(bad).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("https://");
        }
    }

    @Test
    void theTokenComesFromTheEnvironmentOrAFileAndNeverFromTheUri() throws Exception {
        assertThatThrownBy(() -> open("cloudflare-do:https://h", Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("MESH_STORE_TOKEN").hasMessageContaining("MESH_STORE_TOKEN_FILE");
        Path file = Files.writeString(dir.resolve("token"), "from-a-file-0123456789\n");
        assertThat(open("cloudflare-do:https://h", Map.of("MESH_STORE_TOKEN_FILE", file.toString()))).isNotNull();
        assertThatThrownBy(() -> open("cloudflare-do:https://h", Map.of("MESH_STORE_TOKEN_FILE", dir.resolve("none").toString())))
                .hasMessageContaining("MESH_STORE_TOKEN_FILE names").hasMessageContaining("does not exist");
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> open("cloudflare-do:https://h", Map.of("MESH_STORE_TOKEN_FILE", empty.toString())))
                .hasMessageContaining("is empty");
        assertThatThrownBy(() -> open("cloudflare-do:https://h", Map.of("MESH_STORE_TOKEN", "")))
                .hasMessageContaining("MESH_STORE_TOKEN is empty");
        assertThatThrownBy(() -> open("cloudflare-do:https://h", Map.of("MESH_STORE_TOKEN", "t", "MESH_STORE_TOKEN_FILE",
                file.toString()))).hasMessageContaining("unset one");
    }

    @Test
    void anUnreachableWorkerIsARetryableErrorThatSaysWhatToCheck() {
        try (CloudflareDoStore s = CloudflareDoStore.builder().endpoint(URI.create("http://127.0.0.1:1"))
                .token("t".toCharArray()).retryPolicy(dev.meshjoin.api.retry.RetryPolicy.none()).build()) {
            assertThatThrownBy(() -> s.get("mesh/prod/network")).isInstanceOf(StoreException.class)
                    .hasMessageContaining("cannot reach the store Worker at http://127.0.0.1:1")
                    .hasMessageContaining("wrangler")
                    .satisfies(e -> assertThat(((StoreException) e).retryable()).isTrue());
        }
    }

    @Test
    void theServiceLoaderFindsTheProvider() {
        assertThat(java.util.ServiceLoader.load(dev.meshjoin.api.store.BootstrapStoreProvider.class).stream()
                .map(p -> p.get().scheme())).contains("cloudflare-do");
    }
}
