package dev.meshjoin.core.lifecycle;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.core.state.Beat;
import dev.meshjoin.core.state.StateDocument;

/**
 * The lighthouse side of the state protocol. The caller is identified by its overlay address
 * alone: the request came over the overlay, so Nebula has already proven that the caller holds a
 * certificate of this network's CA for that address.
 */
public interface StateHandler {

    /**
     * The caller's state document, or {@link Answer#notModified} when it equals the one whose ETag
     * the caller sent.
     *
     * @param caller the source overlay address of the request
     * @param ifNoneMatch the ETag the caller holds, or null
     * @param beat what the caller reports; its heartbeat
     * @throws dev.meshjoin.api.JoinRefusedException when the caller is unknown or revoked
     */
    Answer state(Ipv4Address caller, String ifNoneMatch, Beat beat);

    /**
     * Issues the caller a new certificate for its name and address and the same key.
     *
     * @return the certificate, PEM
     * @throws dev.meshjoin.api.JoinRefusedException when the caller is unknown, revoked, or the key
     *     is not the one its address was leased to
     */
    String renew(Ipv4Address caller, byte[] publicKey);

    /**
     * The live service instances of {@code name} (all of them when null) this lighthouse knows.
     *
     * @throws dev.meshjoin.api.JoinRefusedException when the caller is unknown or revoked
     */
    default java.util.List<dev.meshjoin.core.registry.RegistryWire.Found> services(Ipv4Address caller, String name) {
        return java.util.List.of();
    }

    /**
     * An answer: a document with its ETag, or only the ETag when the caller's copy is current.
     *
     * @param document the document, or null when not modified
     * @param etag its ETag
     */
    record Answer(StateDocument document, String etag) {
        public static Answer notModified(String etag) {
            return new Answer(null, etag);
        }

        public boolean modified() {
            return document != null;
        }
    }
}
