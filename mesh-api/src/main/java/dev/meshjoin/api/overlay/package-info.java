/** The overlay driver SPI: start, reload, health, stop, observable state. */
package dev.meshjoin.api.overlay;
