package dev.switchboard.router.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NickFormatTest {

    private static String format(String pattern, String nick) {
        return new NickFormat(pattern).apply(nick, "kosmi", "kosmi-main", "lobby", "main");
    }

    @Test
    void fillsEveryPlaceholder() {
        assertEquals("main kosmi kosmi-main lobby alice",
                format("{GATEWAY} {PROTOCOL} {ENDPOINT} {CHANNEL} {NICK}", "alice"));
        assertEquals("[kosmi] <alice> ", format(GatewaySettings.DEFAULT_NICK_FORMAT, "alice"));
    }

    @Test
    void leavesUnknownPlaceholdersAndStrayBracesAsWritten() {
        assertEquals("{nick} {OTHER} {alice} { }", format("{nick} {OTHER} {{NICK}} { }", "alice"));
        assertEquals("alice: {unclosed", format("{NICK}: {unclosed", "alice"));
        assertEquals("", format("", "alice"));
    }

    @Test
    void doesNotExpandPlaceholdersInsideValues() {
        assertEquals("<{CHANNEL}> lobby", format("<{NICK}> {CHANNEL}", "{CHANNEL}"));
    }
}
