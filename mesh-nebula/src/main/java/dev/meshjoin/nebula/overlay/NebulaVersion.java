package dev.meshjoin.nebula.overlay;

import dev.meshjoin.api.overlay.OverlayException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Nebula release number as {@code nebula -version} prints it ({@code Version: 1.6.1}).
 *
 * <pre>{@code
 * NebulaVersion v = NebulaVersion.parseOutput("Version: 1.6.1\n");
 * v.isAtLeast(NebulaVersion.MINIMUM); // true
 * }</pre>
 */
public record NebulaVersion(int major, int minor, int patch) implements Comparable<NebulaVersion> {

    /**
     * The oldest release the driver supports: 1.6.0 brought relays ({@code relay.*}), which the
     * rendered config uses, and the JSON log fields the driver reads.
     */
    public static final NebulaVersion MINIMUM = new NebulaVersion(1, 6, 0);

    private static final Pattern LINE = Pattern.compile("(?m)^\\s*Version:\\s*v?([0-9]{1,4})\\.([0-9]{1,4})\\.([0-9]{1,4})\\S*\\s*$");

    public NebulaVersion {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("version numbers are never negative: " + major + "." + minor + "." + patch);
        }
    }

    /**
     * Reads the version from the output of {@code nebula -version}; a suffix such as
     * {@code -dev} or {@code +dirty} is ignored.
     *
     * @throws OverlayException when the output has no {@code Version: X.Y.Z} line
     */
    public static NebulaVersion parseOutput(String output) {
        Matcher m = LINE.matcher(output == null ? "" : output);
        if (!m.find()) {
            String shown = output == null ? "" : output.strip();
            if (shown.length() > 200) {
                shown = shown.substring(0, 200) + "…";
            }
            throw new OverlayException("'nebula -version' printed no 'Version: X.Y.Z' line (it printed '" + shown
                    + "'); is this the Nebula overlay daemon?");
        }
        return new NebulaVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    public boolean isAtLeast(NebulaVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(NebulaVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
