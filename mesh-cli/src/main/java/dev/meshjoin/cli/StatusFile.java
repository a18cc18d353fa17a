package dev.meshjoin.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a running {@code meshctl up} says about its node, in {@code meshctl-status.json} of its
 * state directory, for {@code meshctl status}. Rewritten on every state change by writing a
 * temporary file (0600) and renaming it over the old one, so a reader never sees half a file.
 * No secret is in it.
 *
 * @param pid the meshctl process; {@code status} says "not running" when it is gone
 * @param state the node's state, such as READY
 * @param detail what the node said with it
 * @param role founder, lighthouse or member, once known
 * @param overlayAddress the overlay address with its prefix, once known
 * @param certificateFingerprint this node's certificate, once it has one
 * @param certificateNotAfter when that certificate expires
 * @param lighthouses the network's lighthouses as {@code name overlay-address}
 * @param nebulaPid the nebula daemon's pid while one runs as this process's child
 * @param store the store's name (never its credentials)
 * @param since when the node entered this state
 * @param startedAt when this meshctl process began the node
 * @param contacts the lighthouses with when each last answered this node's polls
 * @param nextRenewal when the node will renew its certificate (two thirds into its lifetime, or
 *     earlier when a lighthouse says so), while it runs with one
 */
public record StatusFile(long pid, String state, String detail, String role, String overlayAddress,
                         String certificateFingerprint, Instant certificateNotAfter, List<String> lighthouses,
                         Long nebulaPid, String store, Instant since, Instant startedAt, List<Contact> contacts,
                         Instant nextRenewal) {
    /**
     * One lighthouse as this node knows it.
     *
     * @param lastContact when it last answered a poll of this node, or null when it has not
     * @param self whether it is this node (a lighthouse follows itself, without the network)
     */
    public record Contact(String name, String overlayAddress, Instant lastContact, boolean self) {
    }

    /** A status without lighthouse contacts. */
    public StatusFile(long pid, String state, String detail, String role, String overlayAddress,
                      String certificateFingerprint, Instant certificateNotAfter, List<String> lighthouses,
                      Long nebulaPid, String store, Instant since, Instant startedAt) {
        this(pid, state, detail, role, overlayAddress, certificateFingerprint, certificateNotAfter, lighthouses,
                nebulaPid, store, since, startedAt, List.of(), null);
    }

    /** A status with lighthouse contacts and no renewal time. */
    public StatusFile(long pid, String state, String detail, String role, String overlayAddress,
                      String certificateFingerprint, Instant certificateNotAfter, List<String> lighthouses,
                      Long nebulaPid, String store, Instant since, Instant startedAt, List<Contact> contacts) {
        this(pid, state, detail, role, overlayAddress, certificateFingerprint, certificateNotAfter, lighthouses,
                nebulaPid, store, since, startedAt, contacts, null);
    }

    /** The file's name in the state directory. */
    public static final String NAME = "meshctl-status.json";
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .findAndAddModules().build();

    public StatusFile {
        lighthouses = lighthouses == null ? List.of() : List.copyOf(lighthouses);
        contacts = contacts == null ? List.of() : List.copyOf(contacts);
    }

    /** Writes it atomically into {@code stateDirectory}, readable by the owner only. */
    public void write(Path stateDirectory) {
        try {
            Files.createDirectories(stateDirectory);
            Path tmp = Files.createTempFile(stateDirectory, ".meshctl-status", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.write(tmp, MAPPER.writeValueAsBytes(this));
                try {
                    Files.move(tmp, stateDirectory.resolve(NAME), StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, stateDirectory.resolve(NAME), StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + stateDirectory.resolve(NAME) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the file of a state directory.
     *
     * @return empty when there is none
     * @throws CliException when it is there but unreadable or not a status file
     */
    public static Optional<StatusFile> read(Path stateDirectory) {
        Path file = stateDirectory.resolve(NAME);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(MAPPER.readValue(Files.readAllBytes(file), StatusFile.class));
        } catch (IOException e) {
            throw new CliException("status: " + file + " is not a status file meshctl wrote ("
                    + Meshctl.oneLine(e.getMessage()) + "); a meshctl up running there rewrites it on its next change");
        }
    }

    /** Whether the meshctl process that wrote it still runs. */
    public boolean running() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
