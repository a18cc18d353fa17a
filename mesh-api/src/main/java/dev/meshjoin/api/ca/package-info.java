/** The certificate authority SPI: CA creation and loading, host certificate issuance and verification. */
package dev.meshjoin.api.ca;
