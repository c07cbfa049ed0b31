package dev.switchboard.router.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GatewayComponentTest {

    @Test
    void aConfigurationWithoutANameIsNamedAfterItsFileOrFactoryName() {
        assertEquals("main", GatewayComponent.defaultName("dev.switchboard.gateway~main", null));
        assertEquals("kosmi-channels", GatewayComponent.defaultName("dev.switchboard.gateway.4f2a",
                "file:/opt/switchboard/etc/dev.switchboard.gateway-kosmi-channels.cfg"));
        assertEquals("dev.switchboard.gateway.4f2a",
                GatewayComponent.defaultName("dev.switchboard.gateway.4f2a", "file:/etc/other.cfg"));
        assertEquals("dev.switchboard.gateway.4f2a", GatewayComponent.defaultName("dev.switchboard.gateway.4f2a", null));
    }
}
