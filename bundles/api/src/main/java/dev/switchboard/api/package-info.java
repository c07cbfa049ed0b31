/**
 * The contract between Switchboard's adapters, its router and its consoles.
 *
 * <p>An adapter registers, per configured instance, one {@link dev.switchboard.api.Endpoint}, one
 * {@link dev.switchboard.api.MessageSource} and one {@link dev.switchboard.api.MessageSink} as OSGi
 * services, each with the service properties {@value dev.switchboard.api.Endpoint#ENDPOINT_PROPERTY}
 * and {@value dev.switchboard.api.Endpoint#PROTOCOL_PROPERTY}. The router finds them by those
 * properties. An adapter may register an {@link dev.switchboard.api.EndpointPanel} the same way: the
 * tables a console shows for the endpoint. This package depends on the JDK alone.
 */
@Export
@Version("1.3.0")
package dev.switchboard.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
