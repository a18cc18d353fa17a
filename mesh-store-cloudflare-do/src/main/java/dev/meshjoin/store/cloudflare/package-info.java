/**
 * {@link dev.meshjoin.store.cloudflare.CloudflareDoStore}: a linearizable bootstrap store on
 * Cloudflare, one SQLite-backed Durable Object per network behind the store Worker shipped in
 * this module's {@code worker/} folder.
 */
package dev.meshjoin.store.cloudflare;
