package dev.switchboard.kosmi.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kosmi token of one endpoint, kept in a file readable and writable by its owner alone (in
 * the bundle's data folder), so a restart reuses it instead of logging in again. Without a file
 * (no data folder) it is kept in memory only. Never logs the token. Thread-safe.
 */
final class TokenStore {

    private static final Logger LOG = LoggerFactory.getLogger(TokenStore.class);
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Path file;
    private String token;

    /** A store in {@code file}, or in memory when {@code file} is null. */
    TokenStore(Path file) {
        this.file = file;
    }

    synchronized Optional<String> load() {
        if (token == null && file != null && Files.isRegularFile(file)) {
            try {
                String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
                token = stored.isEmpty() ? null : stored;
            } catch (IOException e) {
                LOG.warn("cannot read the stored Kosmi token {}: {}", file, e.toString());
            }
        }
        return Optional.ofNullable(token);
    }

    synchronized void save(String value) {
        token = value;
        if (file == null) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(temporary);
            if (POSIX) {
                // created owner-only: the token never exists on disk with wider permissions
                Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.writeString(temporary, value, StandardCharsets.UTF_8);
            try {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warn("cannot store the Kosmi token in {}: {}; it is kept in memory only", file, e.toString());
        }
    }

    /** Forgets the token, as when Kosmi rejected it. */
    synchronized void delete() {
        token = null;
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("cannot delete the stored Kosmi token {}: {}", file, e.toString());
            }
        }
    }
}
