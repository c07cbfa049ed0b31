package dev.switchboard.router.internal;

import dev.switchboard.router.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemberTest {

    @Test
    void endpointEndsAtTheFirstColonAndTheDirectionIsTheLastWord() {
        assertEquals(new Member("channels-main", "chat:lobby", Direction.INOUT), Member.parse("channels-main:chat:lobby inout"));
        assertEquals(new Member("kosmi", "My Room", Direction.IN), Member.parse("  kosmi:My Room   IN "));
        assertEquals(new Member("t", "c", Direction.OUT), Member.parse("t:c\tout"));
    }

    @Test
    void entriesMayHoldSeveralMembersAndBlankOnesAreSkipped() {
        List<Member> members = Member.parseAll(List.of("a:x in, b:y out,", "", " ", "c:z inout"));
        assertEquals(List.of(new Member("a", "x", Direction.IN), new Member("b", "y", Direction.OUT),
                new Member("c", "z", Direction.INOUT)), members);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "a:x|no direction",
            "a:x sideways|unknown direction \"sideways\"",
            "ax in|no ':' between endpoint and channel",
            ":x in|empty endpoint",
            "a: in|empty channel",
            "a b:x in|endpoint \"a b\" contains whitespace",
    })
    void rejectsMalformedMembersSayingWhy(String text, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Member.parseAll(List.of("ok:c in", text)));
        assertEquals("member 2 \"" + text + "\" is malformed: " + why + " (expected endpoint:channel in|out|inout)",
                e.getMessage());
    }

    @Test
    void rejectsAMemberListedTwice() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Member.parseAll(List.of("a:x in", "a:x out")));
        assertTrue(e.getMessage().contains("lists a:x a second time"), e.getMessage());
    }

    @Test
    void rejectsAnEmptyList() {
        assertEquals("no members", assertThrows(IllegalArgumentException.class,
                () -> Member.parseAll(List.of(" ", ","))).getMessage());
    }

    @Test
    void printsAsWritten() {
        assertEquals("a:chat:x inout", Member.parse("a:chat:x INOUT").toString());
    }
}
