/**
 * A read-only view of the router's gateways, for consoles and monitoring: which gateways exist,
 * whether they route and why not, which members are present and how each destination's queue is
 * doing. Gateways are configured through Config Admin (factory PID {@code dev.switchboard.gateway}),
 * never through this package.
 */
@Export
@Version("1.1.0")
package dev.switchboard.router;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
