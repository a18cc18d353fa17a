/**
 * The service registry: a node announces the services it offers on its overlay address, any node
 * looks up the live instances of a name and watches it, and a {@link dev.meshjoin.api.registry.ServiceClient}
 * sends HTTP requests to a chosen instance.
 */
package dev.meshjoin.api.registry;
