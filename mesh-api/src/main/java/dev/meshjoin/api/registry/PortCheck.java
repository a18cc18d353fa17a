package dev.meshjoin.api.registry;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;

/**
 * Whether an announced instance's port accepts connections, as every registry checks before it
 * announces an instance again: a service whose server stopped must drop out of the lookups by
 * itself, not stay listed until its node goes.
 */
public final class PortCheck {
    /** Long enough for a local accept on a loaded machine, short enough for a poll that checks several ports. */
    private static final int TIMEOUT_MS = 300;

    private PortCheck() {
    }

    /**
     * True when {@code port} accepts a TCP connection on {@code address} (the node's overlay address,
     * a literal) or, failing that, on loopback (a server bound to loopback only).
     */
    public static boolean accepting(String address, int port) {
        InetAddress overlay;
        try {
            overlay = InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            overlay = null;
        }
        for (InetAddress target : new InetAddress[] {overlay, InetAddress.getLoopbackAddress()}) {
            if (target == null) {
                continue;
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(target, port), TIMEOUT_MS);
                return true;
            } catch (IOException e) {
                // not there; the next target
            }
        }
        return false;
    }
}
