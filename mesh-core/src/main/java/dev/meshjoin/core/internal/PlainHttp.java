package dev.meshjoin.core.internal;

import java.net.http.HttpClient;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * HTTP clients for the protocols that never use TLS: the join (sealed to the signing service's
 * key), the state channel and the router (both inside the overlay). Given no SSL context, the JDK
 * builds its default one for every client, plain HTTP or not: it loads and parses the trust store
 * and about 800 classes, some 100 ms of a fresh JVM's CPU on the path of a first join. These
 * clients get an SSL context that refuses every TLS connection instead, with a message that says
 * why, and no default TLS parameters to compute.
 */
public final class PlainHttp {
    /** The message of the IOException an https:// request through such a client ends with. */
    static final String REFUSED = "this HTTP client speaks plain HTTP only (meshjoin's join, state and router"
            + " protocols never use TLS); an https:// address here is a configuration mistake";

    private PlainHttp() {
    }

    /** A client builder for HTTP/1.1 without TLS; the caller adds timeouts and the rest. */
    public static HttpClient.Builder newBuilder() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(new NoTls())
                .sslParameters(new SSLParameters(new String[0], new String[0]));
    }

    private static final class NoTls extends SSLContext {
        NoTls() {
            super(new Refusing(), null, "none");
        }
    }

    /** Every engine refuses: an https:// request fails at once, naming the reason. */
    private static final class Refusing extends SSLContextSpi {
        private static UnsupportedOperationException refused() {
            return new UnsupportedOperationException(REFUSED);
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            throw refused();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            throw refused();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            throw refused();
        }
    }
}
