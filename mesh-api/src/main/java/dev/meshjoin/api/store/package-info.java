/** The bootstrap store SPI: versioned entries, conditional writes, a stated consistency model. */
package dev.meshjoin.api.store;
