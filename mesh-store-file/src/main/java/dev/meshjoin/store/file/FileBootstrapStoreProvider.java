package dev.meshjoin.store.file;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.BootstrapStoreProvider;
import java.net.URI;
import java.nio.file.Path;

/**
 * Opens a {@link FileBootstrapStore} from a {@code file} URI:
 *
 * <ul>
 *   <li>{@code file:/var/lib/meshjoin/store} or {@code file:///var/lib/meshjoin/store}: an absolute
 *       directory;</li>
 *   <li>{@code file:state/store}: a directory relative to the working directory.</li>
 * </ul>
 *
 * Percent-escapes are decoded ({@code file:/srv/my%20store}). A host name, query or fragment is
 * refused: the store is local by design.
 */
public final class FileBootstrapStoreProvider implements BootstrapStoreProvider {

    @Override
    public String scheme() {
        return "file";
    }

    @Override
    public BootstrapStore open(URI uri) {
        return new FileBootstrapStore(directory(uri));
    }

    /** The directory a {@code file} URI names. */
    static Path directory(URI uri) {
        if (!"file".equalsIgnoreCase(uri.getScheme())) {
            throw new ConfigurationException("store URI " + uri + " is not a file URI; write file:/path/to/dir");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ConfigurationException("store URI " + uri
                    + " has a query or fragment, which the file store does not read; write file:/path/to/dir");
        }
        String path;
        if (uri.isOpaque()) {
            path = uri.getSchemeSpecificPart();
        } else {
            if (uri.getAuthority() != null && !uri.getAuthority().isEmpty()
                    && !"localhost".equalsIgnoreCase(uri.getAuthority())) {
                throw new ConfigurationException("store URI " + uri + " names the host " + uri.getAuthority()
                        + "; the file store is local only: write file:/path/to/dir on the machine itself");
            }
            path = uri.getPath();
        }
        if (path == null || path.isEmpty()) {
            throw new ConfigurationException("store URI " + uri + " names no directory; write file:/path/to/dir");
        }
        return Path.of(path);
    }
}
