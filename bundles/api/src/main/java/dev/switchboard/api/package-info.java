/**
 * The contract between Switchboard's adapters and its router.
 *
 * <p>An adapter registers, per configured instance, one {@link dev.switchboard.api.Endpoint}, one
 * {@link dev.switchboard.api.MessageSource} and one {@link dev.switchboard.api.MessageSink} as OSGi
 * services, each with the service properties {@value dev.switchboard.api.Endpoint#ENDPOINT_PROPERTY}
 * and {@value dev.switchboard.api.Endpoint#PROTOCOL_PROPERTY}. The router finds them by those
 * properties. This package depends on the JDK alone.
 */
@Export
@Version("1.1.0")
package dev.switchboard.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
