/**
 * Switchboard's one WebSocket stack, on Eclipse Tyrus: reconnecting clients, server hosts with
 * WebSocket, plain HTTP and byte stream routes on one port, raw byte streams on the server and
 * client side joined by a {@link dev.switchboard.transport.Splice}, the hop-by-hop header rules
 * ({@link dev.switchboard.transport.HopByHop}), JSON framing, backoff, heartbeats on one shared
 * timer and per-connection metrics. Adapters use the
 * {@link dev.switchboard.transport.WebSocketTransport} service; the Tyrus and Grizzly details
 * stay in {@code dev.switchboard.transport.internal} (every dependence on their internals in one
 * class, {@code TyrusInternals}). The adapter lifecycle lives in the endpoint bundle
 * ({@code dev.switchboard.endpoint}), the dedup cache in the api.
 */
@Export
@Version("2.5.0")
package dev.switchboard.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
