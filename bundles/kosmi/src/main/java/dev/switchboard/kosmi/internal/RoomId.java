package dev.switchboard.kosmi.internal;

import java.util.regex.Pattern;

/**
 * Kosmi room ids as every GraphQL operation needs them: always with the {@code @}. Configuration
 * may name a room {@code hyperspaceout}, {@code @hyperspaceout} or by its address
 * {@code https://app.kosmi.io/room/@hyperspaceout}; all three become {@code @hyperspaceout}.
 */
final class RoomId {

    private static final String ROOM_PATH = "/room/";
    private static final Pattern NAME = Pattern.compile("[^\\s/?#@]+");

    private RoomId() {
    }

    /** The room id with its {@code @}; an input that names no room is an {@link IllegalArgumentException} with why. */
    static String normalise(String spelling) {
        String room = spelling == null ? "" : spelling.trim();
        if (room.isEmpty()) {
            throw new IllegalArgumentException("not a Kosmi room: the name is empty");
        }
        int cut = indexOfAny(room, '?', '#');
        if (cut >= 0) {
            room = room.substring(0, cut);
        }
        while (room.endsWith("/")) {
            room = room.substring(0, room.length() - 1);
        }
        if (room.indexOf('/') >= 0) {
            // an address: the room is what follows …/room/
            int path = room.lastIndexOf(ROOM_PATH);
            if (path < 0) {
                throw new IllegalArgumentException("not a Kosmi room: \"" + spelling
                        + "\" is an address without /room/<name>");
            }
            room = room.substring(path + ROOM_PATH.length());
        }
        if (room.startsWith("@")) {
            room = room.substring(1);
        }
        if (!NAME.matcher(room).matches()) {
            throw new IllegalArgumentException("not a Kosmi room: \"" + spelling + "\" (" + (room.isEmpty()
                    ? "no name" : "a room name has no spaces, /, ?, # or second @") + ")");
        }
        return "@" + room;
    }

    private static int indexOfAny(String text, char a, char b) {
        int first = text.indexOf(a);
        int second = text.indexOf(b);
        return first < 0 ? second : second < 0 ? first : Math.min(first, second);
    }
}
