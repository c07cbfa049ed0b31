package dev.switchboard.cluster.internal;

/**
 * One shared message as it travels through Redis, in the topic's stream and on its channel:
 * {@code origin seq flags eventLength\n event data}. The origin (a node's run) and its sequence
 * number let a receiver drop its own messages and a message a publisher sent twice after a call
 * failed half-way, and count the ones it never got; the event is length-prefixed, so it may hold
 * any character.
 *
 * @param origin     the publishing node's run: node id and a suffix new at each start
 * @param seq        the publisher's count on this topic, from 1, in the order it published
 * @param remembered part of the topic's history (a chat message)
 */
record Envelope(String origin, long seq, boolean remembered, String event, String data) {

    String encode() {
        return origin + ' ' + seq + ' ' + (remembered ? 'r' : '-') + ' ' + event.length() + '\n' + event + data;
    }

    /** Reads {@link #encode()}'s text; an IllegalArgumentException for anything else. */
    static Envelope decode(String text) {
        int newline = text.indexOf('\n');
        String[] head = newline < 0 ? new String[0] : text.substring(0, newline).split(" ");
        if (head.length != 4) {
            throw new IllegalArgumentException("not a shared message");
        }
        try {
            int eventEnd = newline + 1 + Integer.parseInt(head[3]);
            return new Envelope(head[0], Long.parseLong(head[1]), "r".equals(head[2]),
                    text.substring(newline + 1, eventEnd), text.substring(eventEnd));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a shared message: " + e.getMessage(), e);
        }
    }
}
