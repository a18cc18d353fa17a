/**
 * The Cloudflare Workers KV adapter: {@link dev.meshjoin.kv.cloudflare.CloudflareKvStore}, an
 * eventually consistent {@link dev.meshjoin.api.store.BootstrapStore} over the KV REST API, and its
 * {@code cloudflare-kv:} URI provider.
 */
package dev.meshjoin.kv.cloudflare;
