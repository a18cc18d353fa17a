/** meshctl's logging backend set-up: text or JSON lines on standard error. */
package dev.meshjoin.cli.log;
