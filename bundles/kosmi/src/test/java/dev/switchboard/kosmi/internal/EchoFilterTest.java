package dev.switchboard.kosmi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EchoFilterTest {

    @Test
    void eachSentBodyIsDroppedOnceInItsOwnRoom() {
        EchoFilter echoes = new EchoFilter(10);
        echoes.expect("@a", "hi");
        echoes.expect("@a", "hi");
        assertFalse(echoes.consume("@b", "hi"), "another room's message is not our echo");
        assertTrue(echoes.consume("@a", "hi"));
        assertTrue(echoes.consume("@a", "hi"));
        assertFalse(echoes.consume("@a", "hi"), "a third 'hi' was written by someone else");
    }

    @Test
    void echoesThatNeverCameAreForgottenOldestFirst() {
        EchoFilter echoes = new EchoFilter(2);
        echoes.expect("@a", "1");
        echoes.expect("@a", "2");
        echoes.expect("@a", "3");
        assertEquals(2, echoes.size());
        assertFalse(echoes.consume("@a", "1"));
        assertTrue(echoes.consume("@a", "3"));
    }
}
