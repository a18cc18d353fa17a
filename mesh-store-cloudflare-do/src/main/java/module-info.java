/**
 * The atomic Cloudflare store ({@code cloudflare-do:} URIs): a Worker whose Durable Object per
 * network holds the mesh's keys; linearizable.
 */
module dev.meshjoin.store.cloudflare {
    requires transitive dev.meshjoin.api;
    requires java.net.http;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports dev.meshjoin.store.cloudflare;

    provides dev.meshjoin.api.store.BootstrapStoreProvider with dev.meshjoin.store.cloudflare.CloudflareDoStoreProvider;
}
