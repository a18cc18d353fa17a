package dev.meshjoin.kv.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.BootstrapStoreProvider;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class CloudflareKvStoreProviderTest {
    private static final Map<String, String> ENV = Map.of(
            "CLOUDFLARE_ACCOUNT_ID", "acc0unt",
            "CLOUDFLARE_KV_NAMESPACE_ID", "n4mespace",
            "CLOUDFLARE_API_TOKEN", "tok-3n-value");

    @Test
    void isFoundByServiceLoader() {
        assertThat(ServiceLoader.load(BootstrapStoreProvider.class).stream().map(ServiceLoader.Provider::get))
                .anySatisfy(p -> {
                    assertThat(p).isInstanceOf(CloudflareKvStoreProvider.class);
                    assertThat(p.scheme()).isEqualTo("cloudflare-kv");
                });
    }

    @Test
    void takesEverythingFromTheEnvironment() {
        try (BootstrapStore s = new CloudflareKvStoreProvider(ENV).open(URI.create("cloudflare-kv:env"))) {
            assertThat(s.name()).isEqualTo("cloudflare-kv:acc0unt/n4mespace");
            assertThat(s.consistency().propagationBound()).isEqualTo(Duration.ofSeconds(60));
            assertThat(s.toString()).doesNotContain("tok-3n-value").contains("CLOUDFLARE_API_TOKEN");
        }
    }

    @Test
    void idsInTheUriWinOverTheEnvironment() {
        try (BootstrapStore s = new CloudflareKvStoreProvider(ENV)
                .open(URI.create("cloudflare-kv://other/ns2?endpoint=http://127.0.0.1:9/client/v4&propagation=PT2S"))) {
            assertThat(s.name()).isEqualTo("cloudflare-kv:other/ns2");
            assertThat(s.consistency().propagationBound()).isEqualTo(Duration.ofSeconds(2));
            assertThat(s.toString()).contains("http://127.0.0.1:9/client/v4");
        }
    }

    @Test
    void missingSettingsAreAllNamed() {
        assertThatThrownBy(() -> new CloudflareKvStoreProvider(Map.of()).open(URI.create("cloudflare-kv:env")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("CLOUDFLARE_ACCOUNT_ID")
                .hasMessageContaining("CLOUDFLARE_KV_NAMESPACE_ID")
                .hasMessageContaining("CLOUDFLARE_API_TOKEN");
    }

    @Test
    void otherOpaqueFormsAreRefused() {
        assertThatThrownBy(() -> new CloudflareKvStoreProvider(ENV).open(URI.create("cloudflare-kv:acc/ns")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("cloudflare-kv:env");
    }

    @Test
    void refusesCredentialsInTheUriAndBadForms() {
        CloudflareKvStoreProvider p = new CloudflareKvStoreProvider(ENV);
        assertThatThrownBy(() -> p.open(URI.create("cloudflare-kv://tok-3n-value@acc/ns")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("CLOUDFLARE_API_TOKEN")
                .hasMessageNotContaining("tok-3n-value");
        assertThatThrownBy(() -> p.open(URI.create("cloudflare-kv://acc/ns/extra")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("ACCOUNT_ID/NAMESPACE_ID");
        assertThatThrownBy(() -> p.open(URI.create("cloudflare-kv://acc")))
                .isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> p.open(URI.create("cloudflare-kv:env?token=x")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("unknown query parameter 'token'");
        assertThatThrownBy(() -> p.open(URI.create("cloudflare-kv:env?propagation=60s")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> p.open(URI.create("file:/tmp/x"))).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void plainHttpIsOnlyAllowedToLoopback() {
        assertThatThrownBy(() -> new CloudflareKvStoreProvider(ENV)
                .open(URI.create("cloudflare-kv:env?endpoint=http://api.example.com/client/v4")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("https");
    }

    @Test
    void builderToStringNeverShowsTheToken() {
        CloudflareKvStore.Builder b = CloudflareKvStore.builder().fromEnvironment(ENV);
        assertThat(b.toString()).doesNotContain("tok-3n-value").contains("set, from the environment variable");
    }

    @Test
    void theEndpointIsCloudflaresOrLoopbackUnlessTheUserAllowsAnother() {
        CloudflareKvStoreProvider p = new CloudflareKvStoreProvider(ENV);
        assertThatThrownBy(() -> p.open(URI.create("cloudflare-kv:env?endpoint=https://kv.example.com/client/v4")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("allow-endpoint=true")
                .hasMessageNotContaining("tok-3n-value");
        assertThatThrownBy(() -> p.open(URI.create("cloudflare-kv:env?endpoint=https://api.cloudflare.com.evil.example/x")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("allow-endpoint");
        try (BootstrapStore s = p.open(URI.create(
                "cloudflare-kv:env?endpoint=https://kv.example.com/client/v4&allow-endpoint=true"))) {
            assertThat(s.toString()).contains("https://kv.example.com/client/v4");
        }
        // Allowed or not, plain http goes to loopback only.
        assertThatThrownBy(() -> p.open(URI.create(
                "cloudflare-kv:env?endpoint=http://kv.example.com/client/v4&allow-endpoint=true")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("https");
        try (BootstrapStore s = p.open(URI.create("cloudflare-kv:env?endpoint=http://127.0.0.2:9/client/v4"))) {
            assertThat(s.retriesItself()).isTrue();
        }
        assertThatThrownBy(() -> p.open(URI.create("cloudflare-kv:env?allow-endpoint=yes")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("true or false");
    }

    @Test
    void theTokenMayComeFromAFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path f = dir.resolve("cf-token");
        java.nio.file.Files.writeString(f, "tok-from-file\n");
        java.nio.file.Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Map<String, String> env = Map.of("CLOUDFLARE_ACCOUNT_ID", "acc0unt", "CLOUDFLARE_KV_NAMESPACE_ID", "n4mespace",
                "CLOUDFLARE_API_TOKEN_FILE", f.toString());
        try (BootstrapStore s = new CloudflareKvStoreProvider(env).open(URI.create("cloudflare-kv:env"))) {
            assertThat(s.toString()).contains("CLOUDFLARE_API_TOKEN_FILE (" + f + ")").doesNotContain("tok-from-file");
        }
        Map<String, String> both = new java.util.HashMap<>(env);
        both.put("CLOUDFLARE_API_TOKEN", "tok-3n-value");
        assertThatThrownBy(() -> new CloudflareKvStoreProvider(both).open(URI.create("cloudflare-kv:env")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("both CLOUDFLARE_API_TOKEN and CLOUDFLARE_API_TOKEN_FILE are set");
        Map<String, String> missing = Map.of("CLOUDFLARE_ACCOUNT_ID", "a", "CLOUDFLARE_KV_NAMESPACE_ID", "n",
                "CLOUDFLARE_API_TOKEN_FILE", dir.resolve("absent").toString());
        assertThatThrownBy(() -> new CloudflareKvStoreProvider(missing).open(URI.create("cloudflare-kv:env")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("CLOUDFLARE_API_TOKEN_FILE");
    }
}
