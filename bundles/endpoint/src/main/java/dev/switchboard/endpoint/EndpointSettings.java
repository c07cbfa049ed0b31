package dev.switchboard.endpoint;

/**
 * What every adapter's settings have: the endpoint id and whether it runs. An adapter's settings
 * record, built from its Metatype configuration, implements this.
 */
public interface EndpointSettings {

    /** How gateways name the endpoint; unique within one Switchboard, never blank. */
    String id();

    /** False keeps the endpoint registered but {@code OFFLINE} ({@code DISABLED}), its protocol not started. */
    default boolean enabled() {
        return true;
    }
}
