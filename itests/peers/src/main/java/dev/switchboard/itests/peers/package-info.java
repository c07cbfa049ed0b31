/** What every test client of the doubles and of Switchboard's servers shares. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.switchboard.itests.peers;
