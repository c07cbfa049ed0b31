/**
 * Switchboard's one WebSocket stack, on Eclipse Tyrus: reconnecting clients, server hosts with
 * WebSocket and plain HTTP routes on one port, JSON framing, deduplication, backoff and
 * per-connection metrics; and the plumbing every adapter shares: its endpoint services'
 * registration ({@link dev.switchboard.transport.EndpointRegistration}) and its message source's
 * listeners and thread ({@link dev.switchboard.transport.MessagePublisher}). Adapters use the
 * {@link dev.switchboard.transport.WebSocketTransport} service; the Tyrus and Grizzly details
 * stay in {@code dev.switchboard.transport.internal}.
 */
@Export
@Version("2.0.0")
package dev.switchboard.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
