package dev.meshjoin.store.file;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Maps keys to file names. A name is built only from {@code [0-9a-f]} after a one-letter tag, so
 * no key can name a path outside the store's directory, a hidden file or a special name such as
 * {@code ..}, whatever characters it holds; lower-case hex also survives case-insensitive file
 * systems.
 *
 * <ul>
 *   <li>{@code k<hex of the UTF-8 key>} for keys up to {@value #MAX_DIRECT_KEY_BYTES} bytes: the key
 *       can be read back from the name, so a listing skips files outside its prefix unread.</li>
 *   <li>{@code h<hex of SHA-256 of the UTF-8 key>} for longer keys, which would not fit the usual
 *       255-byte limit on file names; the key itself is in the file's header.</li>
 * </ul>
 *
 * Temporary files start with {@value #TEMP_PREFIX} and can never be taken for a value file.
 */
final class KeyNames {
    /** 1 + 2 × 120 = 241 characters, under the 255 bytes of ext4, xfs, btrfs, apfs and ntfs. */
    static final int MAX_DIRECT_KEY_BYTES = 120;
    static final String TEMP_PREFIX = ".tmp-";
    private static final HexFormat HEX = HexFormat.of();

    private KeyNames() {
    }

    static String fileName(String key) {
        byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_DIRECT_KEY_BYTES) {
            return "k" + HEX.formatHex(utf8);
        }
        try {
            return "h" + HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(utf8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Whether a directory entry is a value file (either kind of name). */
    static boolean isEntryName(String name) {
        if (name.length() < 2) {
            return false;
        }
        char tag = name.charAt(0);
        if (tag == 'h') {
            return name.length() == 65 && isLowerHex(name, 1);
        }
        return tag == 'k' && name.length() % 2 == 1 && isLowerHex(name, 1);
    }

    /** The key a {@code k} name spells, or empty for a hashed name (the key is then in the file). */
    static Optional<String> directKey(String name) {
        if (name.charAt(0) != 'k') {
            return Optional.empty();
        }
        return Optional.of(new String(HEX.parseHex(name, 1, name.length()), StandardCharsets.UTF_8));
    }

    private static boolean isLowerHex(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the key is well-formed UTF-16, i.e. has no lone surrogate. A lone surrogate has no
     * UTF-8 form: two different such keys would encode to the same bytes and share one file.
     */
    static int firstLoneSurrogate(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return i;
            }
            if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
