/**
 * A loopback Kosmi (seed 000) for tests: the HTTP GraphQL anonymous login and the
 * graphql-transport-ws endpoint on one 127.0.0.1 port, with switches for the faults the Kosmi
 * adapter must survive.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.switchboard.itests.peers.kosmi;
