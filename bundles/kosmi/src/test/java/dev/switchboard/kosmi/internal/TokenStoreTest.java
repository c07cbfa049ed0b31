package dev.switchboard.kosmi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {

    @TempDir
    Path folder;

    @Test
    void aSavedTokenIsReadableByItsOwnerOnlyAndSurvivesANewStore() throws Exception {
        Path file = folder.resolve("data/token-kosmi");
        new TokenStore(file).save("t0k3n");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(Optional.of("t0k3n"), new TokenStore(file).load());
        new TokenStore(file).save("replaced");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(Optional.of("replaced"), new TokenStore(file).load());
    }

    @Test
    void aDeletedTokenIsGoneFromDiskAndMemory() {
        Path file = folder.resolve("token-kosmi");
        TokenStore store = new TokenStore(file);
        store.save("t0k3n");
        store.delete();
        assertFalse(Files.exists(file));
        assertEquals(Optional.empty(), store.load());
    }

    /** Bad inputs: an empty file, and no file at all (no data folder): the token lives in memory. */
    @Test
    void anEmptyFileHoldsNoTokenAndNoFileKeepsItInMemory() throws Exception {
        Path file = folder.resolve("token-empty");
        Files.writeString(file, "  \n");
        assertEquals(Optional.empty(), new TokenStore(file).load());
        TokenStore memory = new TokenStore(null);
        memory.save("t0k3n");
        assertTrue(memory.load().isPresent());
    }
}
