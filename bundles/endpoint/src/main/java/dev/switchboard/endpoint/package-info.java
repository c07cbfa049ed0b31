/**
 * The skeleton every Switchboard adapter stands on, as openHAB's {@code BaseThingHandler} is for
 * its bindings: {@link dev.switchboard.endpoint.EndpointSupport} carries the lifecycle
 * (activate, modified, deactivate), the {@code Endpoint}, {@code MessageSource} and
 * {@code MessageSink} services and their renaming, the source's thread, one shared scheduler,
 * status with a detail and status events, configuration checks and the metrics sum, so that an
 * adapter holds only its protocol. Depends on the api, the OSGi framework and SLF4J.
 */
@Export
@Version("1.2.0")
package dev.switchboard.endpoint;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
