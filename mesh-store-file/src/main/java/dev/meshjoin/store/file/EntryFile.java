package dev.meshjoin.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The layout of one value file. Everything is big-endian:
 *
 * <pre>
 *  0  4 bytes  magic "MJFS"
 *  4  u16      format version (1)
 *  6  u16      key length k
 *  8  k bytes  key, UTF-8
 *     i64      entry version
 *     u8       1 when the entry expires, else 0
 *     i64      expiry, epoch seconds
 *     i32      expiry, nanoseconds
 *     i64      value length v
 *     i32      CRC32C of everything above (lets a listing trust the header without the value)
 *     v bytes  value
 *     i32      CRC32C of everything above, header and value
 * </pre>
 *
 * <p>The key lives in the file so that keys too long for a file name can be stored under a hashed
 * name, and so that a file moved by hand under another name is noticed.
 */
final class EntryFile {
    static final int FORMAT_VERSION = 1;
    private static final int MAGIC = 0x4D4A4653; // "MJFS"
    /** Header bytes besides the key: magic, format, key length, version, expiry, value length, CRC. */
    private static final int FIXED_HEADER = 4 + 2 + 2 + 8 + 1 + 8 + 4 + 8 + 4;
    private static final int TRAILER = 4;

    private EntryFile() {
    }

    /** The parsed header of a value file. */
    record Header(String key, long version, Optional<Instant> expiresAt, long valueLength, int headerLength) {
        boolean liveAt(Instant now) {
            return expiresAt.isEmpty() || now.isBefore(expiresAt.get());
        }

        long fileLength() {
            return headerLength + valueLength + TRAILER;
        }
    }

    /** The longest header this format can have for a key of {@code maxKeyBytes}. */
    static int maxHeaderLength(int maxKeyBytes) {
        return FIXED_HEADER + maxKeyBytes;
    }

    static byte[] encode(byte[] key, long version, Optional<Instant> expiresAt, byte[] value) {
        int headerLength = FIXED_HEADER + key.length;
        ByteBuffer buf = ByteBuffer.allocate(headerLength + value.length + TRAILER);
        buf.putInt(MAGIC).putShort((short) FORMAT_VERSION).putShort((short) key.length).put(key);
        buf.putLong(version);
        buf.put((byte) (expiresAt.isPresent() ? 1 : 0));
        buf.putLong(expiresAt.map(Instant::getEpochSecond).orElse(0L));
        buf.putInt(expiresAt.map(Instant::getNano).orElse(0));
        buf.putLong(value.length);
        buf.putInt(crc(buf.array(), 0, buf.position()));
        buf.put(value);
        buf.putInt(crc(buf.array(), 0, buf.position()));
        return buf.array();
    }

    /**
     * Parses and checks a header. {@code prefix} holds at least the header (or the whole file when
     * it is shorter); {@code fileLength} is the file's size on disk, checked against the lengths
     * the header announces so that a truncated file is refused even when only the header is read.
     */
    /** The header of an entry file, or empty when the file is gone (deleted since it was listed). */
    static Optional<Header> readHeader(Path file, int maxKeyBytes) throws IOException, DamagedFileException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size, maxHeaderLength(maxKeyBytes)));
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // keep reading until the header is in
            }
            buf.flip();
            return Optional.of(parseHeader(file, buf, size));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** {@link #readHeader}, and the header's key must be the one the file is named for. */
    static Optional<Header> readListed(Path file, int maxKeyBytes) throws IOException, DamagedFileException {
        Optional<Header> h = readHeader(file, maxKeyBytes);
        if (h.isPresent() && !file.getFileName().toString().equals(KeyNames.fileName(h.get().key()))) {
            throw new DamagedFileException(file, "holds key '" + h.get().key() + "', which belongs in another file");
        }
        return h;
    }

    static Header parseHeader(Path file, ByteBuffer prefix, long fileLength) throws DamagedFileException {
        ByteBuffer b = prefix.duplicate();
        if (b.remaining() < 8) {
            throw new DamagedFileException(file, "truncated: " + fileLength + " bytes, shorter than any header");
        }
        int start = b.position();
        if (b.getInt() != MAGIC) {
            throw new DamagedFileException(file, "not a value file of this store (bad magic number)");
        }
        int format = Short.toUnsignedInt(b.getShort());
        if (format != FORMAT_VERSION) {
            throw new DamagedFileException(file, "written in format version " + format
                    + " but this meshjoin reads format " + FORMAT_VERSION + "; use the meshjoin version that wrote it");
        }
        int keyLength = Short.toUnsignedInt(b.getShort());
        int headerLength = FIXED_HEADER + keyLength;
        if (b.limit() - start < headerLength) {
            throw new DamagedFileException(file, "truncated: " + fileLength + " bytes, shorter than its header");
        }
        byte[] keyBytes = new byte[keyLength];
        b.get(keyBytes);
        long version = b.getLong();
        int hasExpiry = b.get();
        long seconds = b.getLong();
        int nanos = b.getInt();
        long valueLength = b.getLong();
        int storedCrc = b.getInt();
        byte[] headerBytes = new byte[headerLength - 4];
        prefix.duplicate().get(headerBytes);
        if (crc(headerBytes, 0, headerBytes.length) != storedCrc) {
            throw new DamagedFileException(file, "header checksum mismatch");
        }
        if (valueLength < 0 || version < 1 || (hasExpiry != 0 && hasExpiry != 1)) {
            throw new DamagedFileException(file, "header holds impossible values");
        }
        long expected = headerLength + valueLength + TRAILER;
        if (fileLength != expected) {
            throw new DamagedFileException(file, (fileLength < expected ? "truncated: " : "too long: ")
                    + fileLength + " bytes where its header announces " + expected);
        }
        String key;
        try {
            key = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(keyBytes)).toString();
        } catch (CharacterCodingException e) {
            throw new DamagedFileException(file, "the stored key is not valid UTF-8");
        }
        Optional<Instant> expiresAt = hasExpiry == 1 ? Optional.of(Instant.ofEpochSecond(seconds, nanos)) : Optional.empty();
        return new Header(key, version, expiresAt, valueLength, headerLength);
    }

    /** Checks the whole file and returns its value. */
    static byte[] value(Path file, byte[] whole, Header header) throws DamagedFileException {
        int end = whole.length - TRAILER;
        int storedCrc = ByteBuffer.wrap(whole, end, TRAILER).getInt();
        if (crc(whole, 0, end) != storedCrc) {
            throw new DamagedFileException(file, "checksum mismatch: the value does not match what was written");
        }
        byte[] value = new byte[(int) header.valueLength()];
        System.arraycopy(whole, header.headerLength(), value, 0, value.length);
        return value;
    }

    private static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
