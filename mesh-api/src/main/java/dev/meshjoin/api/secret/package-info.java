/** The secret codec SPI: authenticated sealing of values at rest, with named keys for rotation. */
package dev.meshjoin.api.secret;
