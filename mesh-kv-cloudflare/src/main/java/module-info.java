/** The Cloudflare Workers KV store ({@code cloudflare-kv:} URIs), over KV's REST API: eventually consistent. */
module dev.meshjoin.kv.cloudflare {
    requires transitive dev.meshjoin.api;
    requires java.net.http;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports dev.meshjoin.kv.cloudflare;

    provides dev.meshjoin.api.store.BootstrapStoreProvider with dev.meshjoin.kv.cloudflare.CloudflareKvStoreProvider;
}
