/**
 * Switchboard's one WebSocket stack, on Eclipse Tyrus: reconnecting clients, server hosts with
 * WebSocket and plain HTTP routes on one port, JSON framing, deduplication, backoff and
 * per-connection metrics. Adapters use the {@link dev.switchboard.transport.WebSocketTransport}
 * service; the Tyrus and Grizzly details stay in {@code dev.switchboard.transport.internal}.
 */
@Export
@Version("1.1.0")
package dev.switchboard.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
