/**
 * The meshjoin SPI: the interfaces a store, certificate format, overlay or join transport
 * implements, their value types and the exception hierarchy. JDK only.
 */
module dev.meshjoin.api {
    requires transitive java.net.http;
    requires java.management;

    exports dev.meshjoin.api;
    exports dev.meshjoin.api.ca;
    exports dev.meshjoin.api.ip;
    exports dev.meshjoin.api.join;
    exports dev.meshjoin.api.net;
    exports dev.meshjoin.api.overlay;
    exports dev.meshjoin.api.registry;
    exports dev.meshjoin.api.retry;
    exports dev.meshjoin.api.secret;
    exports dev.meshjoin.api.store;
}
