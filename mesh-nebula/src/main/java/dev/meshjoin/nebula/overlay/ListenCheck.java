package dev.meshjoin.nebula.overlay;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.net.Endpoint;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;

/**
 * Whether nebula could listen on a node's public endpoint here: the address is one of this host's
 * and the UDP port is free. Run before the node writes anything, so that a mistyped endpoint is
 * refused before a network record or a lease names it.
 */
final class ListenCheck {
    private ListenCheck() {
    }

    /** @throws ConfigurationException saying why nothing could listen on {@code listen} here */
    static void check(Endpoint listen) {
        InetAddress address;
        try {
            address = InetAddress.getByName(listen.host());
        } catch (UnknownHostException e) {
            throw new ConfigurationException("the public endpoint " + listen + " names a host that does not resolve;"
                    + " give it an address of this host");
        }
        if (!isLocal(address)) {
            throw new ConfigurationException("the public endpoint's address " + address.getHostAddress() + " is not an"
                    + " address of this host, so nebula cannot listen on " + listen + "; give the public endpoint an"
                    + " address of one of this host's interfaces");
        }
        try (DatagramSocket socket = new DatagramSocket(null)) {
            socket.bind(new InetSocketAddress(address, listen.port()));
        } catch (IOException e) {
            throw new ConfigurationException("UDP port " + listen.port() + " on " + address.getHostAddress()
                    + " cannot be bound (" + e.getMessage() + "); stop what listens there (an old nebula?) or choose"
                    + " another port for the public endpoint", e);
        }
    }

    private static boolean isLocal(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
