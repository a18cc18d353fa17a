package dev.meshjoin.api.secret;

/**
 * Seals and opens values kept at rest in the store with authenticated encryption. The associated
 * data binds a value to its context (meshjoin passes the store key), so a sealed value copied to
 * another key does not open.
 *
 * <pre>{@code
 * byte[] sealed = codec.seal(caKeyPem, "mesh/prod/ca-key".getBytes(UTF_8));
 * byte[] again  = codec.open(sealed, "mesh/prod/ca-key".getBytes(UTF_8));
 * }</pre>
 */
public interface SecretCodec {

    /** The codec's format name, such as {@code default} or {@code fernet}. */
    String name();

    /** The id of the key new seals use. */
    String currentKeyId();

    /** Seals a value under the current key. */
    byte[] seal(byte[] plaintext, byte[] associatedData);

    /**
     * Opens a value sealed under any key this codec holds.
     *
     * @throws SecretCodecException when it does not authenticate
     */
    byte[] open(byte[] sealed, byte[] associatedData);

    /**
     * The id of the key a sealed value names, without opening it.
     *
     * @throws SecretCodecException when the value is not in this codec's format
     */
    String keyIdOf(byte[] sealed);
}
