package dev.switchboard.example.echo.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Switchboard echo endpoint",
        description = "An example adapter: every chat message it is sent comes back out of its source on the same"
                + " channel, behind the prefix.")
public @interface EchoConfig {

    @AttributeDefinition(name = "Endpoint id", description = "How gateways name this endpoint; unique within Switchboard.")
    String id() default "echo";

    @AttributeDefinition(name = "Enabled", description = "Unchecked: the endpoint is registered OFFLINE and echoes nothing.")
    boolean enabled() default true;

    @AttributeDefinition(name = "Prefix", required = false, description = "Put before the text of every echo.")
    String prefix() default "";

    @AttributeDefinition(name = "Delay (milliseconds)", min = "0", max = "60000",
            description = "How long an echo waits before it comes back; 0 sends it back at once.")
    int delayMillis() default 0;

    @AttributeDefinition(name = "Name in the Web Console", required = false,
            description = "How the Web Console lists this configuration: {id} is replaced by the endpoint id.")
    String webconsole_configurationFactory_nameHint() default "Echo endpoint {id}";
}
