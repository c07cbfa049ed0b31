package dev.switchboard.kosmi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RoomIdTest {

    @ParameterizedTest
    @ValueSource(strings = {"hyperspaceout", "@hyperspaceout", "https://app.kosmi.io/room/@hyperspaceout",
            "  @hyperspaceout  ", "https://app.kosmi.io/room/@hyperspaceout/", "app.kosmi.io/room/@hyperspaceout?x=1",
            "https://app.kosmi.io/room/hyperspaceout#chat"})
    void everySpellingNamesTheRoomWithItsAt(String spelling) {
        assertEquals("@hyperspaceout", RoomId.normalise(spelling));
    }

    /** Bad inputs: nothing, an address without a room, whitespace inside, a bare @, a double @. */
    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "https://app.kosmi.io/room/", "hyper space", "@", "@@room"})
    void anInputThatNamesNoRoomIsRefused(String spelling) {
        assertThrows(IllegalArgumentException.class, () -> RoomId.normalise(spelling));
    }
}
