/** A local web app on loopback (HTTP and a WebSocket echo on one port) for the tunnels to expose. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.switchboard.itests.peers.web;
