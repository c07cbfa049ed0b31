/**
 * Several Switchboard nodes as one: what an adapter uses of the cluster, on the JDK alone, so that
 * an adapter resolves and runs without the cluster bundle installed.
 *
 * <p>The cluster bundle (Redis through Jedis) registers {@link dev.switchboard.api.cluster.Cluster}
 * and {@link dev.switchboard.api.cluster.ClusterLeases} once it is configured; an adapter
 * references them optionally and goes on alone while they are absent.
 */
@Export
@Version("1.0.0")
package dev.switchboard.api.cluster;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
