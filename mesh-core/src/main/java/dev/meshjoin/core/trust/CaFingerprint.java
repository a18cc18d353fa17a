package dev.meshjoin.core.trust;

import dev.meshjoin.api.ConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** CA fingerprints as operators give them: hex, one or a comma-separated list (during a CA rotation). */
public final class CaFingerprint {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{16,128}");

    private CaFingerprint() {
    }

    /**
     * A fingerprint, lower-cased.
     *
     * @param what where it came from, for the message
     * @throws ConfigurationException when it is not hex
     */
    public static String check(String fingerprint, String what) {
        String fp = fingerprint == null ? "" : fingerprint.strip().toLowerCase(Locale.ROOT);
        if (!HEX.matcher(fp).matches()) {
            throw new ConfigurationException(what + " is not a CA fingerprint: expected 16 to 128 hex digits, as"
                    + " 'meshctl ca fingerprint' or 'nebula-cert print -path ca.crt' shows");
        }
        return fp;
    }

    /** A comma-separated list of fingerprints. */
    public static List<String> list(String text, String what) {
        List<String> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                out.add(check(part, what));
            }
        }
        if (out.isEmpty()) {
            throw new ConfigurationException(what + " is empty; give the CA fingerprint, or leave it unset");
        }
        return List.copyOf(out);
    }
}
