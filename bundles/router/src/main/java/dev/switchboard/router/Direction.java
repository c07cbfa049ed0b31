package dev.switchboard.router;

/** Which way messages flow between a gateway and one of its members. */
public enum Direction {
    /** The member's messages enter the gateway; it receives nothing from it. */
    IN,
    /** The member receives the gateway's messages; what it publishes is ignored. */
    OUT,
    /** Both. */
    INOUT;

    /** True when messages published by the member enter the gateway. */
    public boolean publishes() {
        return this != OUT;
    }

    /** True when the gateway delivers other members' messages to this member. */
    public boolean receives() {
        return this != IN;
    }
}
