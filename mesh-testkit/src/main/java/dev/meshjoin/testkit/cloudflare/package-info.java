/**
 * A local stand-in for Cloudflare's Workers KV REST API ({@link dev.meshjoin.testkit.cloudflare.LocalKvServer}),
 * written from Cloudflare's API documentation, so the KV adapter is tested on loopback.
 */
package dev.meshjoin.testkit.cloudflare;
