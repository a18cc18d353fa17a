package dev.meshjoin.api.ip;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Cidr;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Hands out overlay addresses inside the network's CIDR.
 *
 * <ul>
 *   <li>never the same address to two nodes;</li>
 *   <li>idempotent: the same node name with the same key id gets its address back;</li>
 *   <li>never a reserved address: the network and broadcast addresses and the lighthouses';</li>
 *   <li>a released address is not reused before its lease's {@code holdUntil}.</li>
 * </ul>
 */
public interface IpAllocator {

    /** The network addresses come from. */
    Ipv4Cidr network();

    /**
     * Allocates an address, or returns the one the node already holds with the same key.
     *
     * @param node node name
     * @param keyId identifies the node's key
     * @param holdUntil the end of the validity of the certificate about to be issued for it
     * @throws AllocationException when the network is full or the name is held by another key
     */
    Lease allocate(String node, String keyId, Instant holdUntil);

    /**
     * Takes one specific address (a lighthouse's). Idempotent for the same node and key.
     *
     * @throws AllocationException when another node holds it
     */
    Lease claim(Ipv4Address address, String node, String keyId, Instant holdUntil);

    /** Extends the hold of the node's lease (its certificate was renewed). */
    Lease extend(String node, String keyId, Instant holdUntil);

    /**
     * Releases the node's address; it stays held until its {@code holdUntil}.
     *
     * @return the released lease, or empty when the node held none
     */
    Optional<Lease> release(String node);

    /** The node's current lease, if any. */
    Optional<Lease> leaseOf(String node);

    /** Every lease, held or released-but-held, ordered by address. */
    List<Lease> leases();

    /** Addresses that are never allocated: the network and broadcast addresses and lighthouses'. */
    Set<Ipv4Address> reserved();
}
