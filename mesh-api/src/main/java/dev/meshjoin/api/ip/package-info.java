/** The IP allocator SPI: unique, idempotent, releasable overlay address leases. */
package dev.meshjoin.api.ip;
