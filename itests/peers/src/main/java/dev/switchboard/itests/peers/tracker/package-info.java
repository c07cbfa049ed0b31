/**
 * A loopback task tracker for tests: {@link dev.switchboard.itests.peers.tracker.TrackerPeer}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.switchboard.itests.peers.tracker;
