package dev.switchboard.router.internal;

import dev.switchboard.router.Direction;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One {@code (endpoint, channel)} member of a gateway and the way messages flow.
 *
 * <p>Written {@code endpoint:channel direction}, e.g. {@code channels-main:chat:lobby inout}: the
 * endpoint ends at the first ':', the direction is the last word, the channel is everything in
 * between (it may contain ':' and spaces, not ','). Several members may share one configuration
 * entry separated by commas, so that a one-line {@code .cfg} value works; blank entries are skipped.
 */
record Member(String endpoint, String channel, Direction direction) {

    Member {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(direction, "direction");
    }

    /** True when this member is {@code endpointId:channelName}. */
    boolean is(String endpointId, String channelName) {
        return endpoint.equals(endpointId) && channel.equals(channelName);
    }

    @Override
    public String toString() {
        return endpoint + ":" + channel + " " + direction.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses every entry of a gateway's {@code members} attribute.
     *
     * @throws IllegalArgumentException saying which member is wrong and why
     */
    static List<Member> parseAll(List<String> entries) {
        List<Member> members = new ArrayList<>();
        Set<String> addresses = new HashSet<>();
        int position = 0;
        for (String entry : entries) {
            for (String text : (entry == null ? "" : entry).split(",")) {
                // blank pieces are the Web Console's empty rows and trailing commas, not members
                if (text.isBlank()) {
                    continue;
                }
                position++;
                Member member;
                try {
                    member = parse(text);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("member " + position + " \"" + text.strip() + "\" is malformed: "
                            + e.getMessage() + " (expected endpoint:channel in|out|inout)");
                }
                if (!addresses.add(member.endpoint() + ":" + member.channel())) {
                    throw new IllegalArgumentException("member " + position + " \"" + text.strip()
                            + "\" lists " + member.endpoint() + ":" + member.channel() + " a second time");
                }
                members.add(member);
            }
        }
        if (members.isEmpty()) {
            throw new IllegalArgumentException("no members");
        }
        return members;
    }

    /** Parses one {@code endpoint:channel direction}. */
    static Member parse(String text) {
        String trimmed = text.strip();
        int space = lastWhitespace(trimmed);
        if (space < 0) {
            throw new IllegalArgumentException("no direction");
        }
        Direction direction = direction(trimmed.substring(space + 1));
        String address = trimmed.substring(0, space).strip();
        int colon = address.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("no ':' between endpoint and channel");
        }
        String endpoint = address.substring(0, colon);
        String channel = address.substring(colon + 1);
        if (endpoint.isEmpty()) {
            throw new IllegalArgumentException("empty endpoint");
        }
        if (endpoint.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("endpoint \"" + endpoint + "\" contains whitespace");
        }
        if (channel.isBlank()) {
            throw new IllegalArgumentException("empty channel");
        }
        return new Member(endpoint, channel, direction);
    }

    private static Direction direction(String word) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "in" -> Direction.IN;
            case "out" -> Direction.OUT;
            case "inout" -> Direction.INOUT;
            default -> throw new IllegalArgumentException("unknown direction \"" + word + "\"");
        };
    }

    private static int lastWhitespace(String text) {
        for (int i = text.length() - 1; i >= 0; i--) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
