/**
 * A loopback task tracker (seed 001) for tests: {@link dev.switchboard.itests.peers.tracker.TrackerPeer}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.switchboard.itests.peers.tracker;
