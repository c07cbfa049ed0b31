/**
 * Channel handlers for Switchboard's topic-channel WebSocket server.
 *
 * <p>Another bundle serves a family of topics by registering a {@link dev.switchboard.channels.ChannelHandler}
 * service: it sends a snapshot to each client that joins a topic and handles the events clients send
 * on it. Handlers come and go while the server runs; every running channels endpoint picks them up,
 * or only the one named by the handler's {@value dev.switchboard.channels.ChannelHandler#ENDPOINT_PROPERTY}
 * service property.
 */
@Export
@Version("1.0.0")
package dev.switchboard.channels;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
