package dev.meshjoin.testkit.netns;

import java.net.NetworkInterface;
import java.util.Collections;

/** A main for {@link NetnsLabIT}: prints the network interfaces this JVM sees, one per line. */
public final class PrintInterfaces {
    private PrintInterfaces() {
    }

    public static void main(String[] args) throws Exception {
        for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            System.out.println("if " + i.getName());
        }
    }
}
