/** The secret codec SPI (authenticated sealing of values at rest, with named keys for rotation) and the one reader of secrets from the environment or files ({@link dev.meshjoin.api.secret.SecretSource}). */
package dev.meshjoin.api.secret;
