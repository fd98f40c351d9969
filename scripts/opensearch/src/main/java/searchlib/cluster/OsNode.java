package searchlib.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * One OpenSearch node in this JVM, started from the jars on the class path: the core, and the
 * modules a distribution would load from its modules/ folder (HTTP and transport over Netty, the
 * common analyzers and token filters, the extra field types, Painless), given here as classes.
 *
 * <p>Settings are program arguments, {@code key=value}; {@code path.home} is required. The node
 * runs until the process is sent TERM (or INT), then closes cleanly.
 *
 * <pre>
 * java -cp 'lib/*' searchlib.cluster.OsNode path.home=/tmp/n1 node.name=node-1 http.port=9200
 * </pre>
 */
public final class OsNode extends Node {

    private static final List<Class<? extends Plugin>> MODULES = List.of(
            Netty4Plugin.class, CommonAnalysisPlugin.class, MapperExtrasPlugin.class, PainlessPlugin.class);

    private OsNode(Environment environment) {
        super(environment, MODULES, true);
    }

    /**
     * A no-op: the distribution's bootstrap registers a listener here that puts the node and cluster
     * ids into log lines, through logging set-up this launcher does not do.
     */
    @Override
    protected void configureNodeAndClusterIdStateListener(ClusterService clusterService) {}

    public static void main(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder();
        for (String arg : args) {
            int equals = arg.indexOf('=');
            if (equals <= 0) {
                System.err.println("OsNode: expected key=value, got: " + arg);
                System.exit(2);
            }
            builder.put(arg.substring(0, equals), arg.substring(equals + 1));
        }
        Settings settings = builder.build();
        String home = settings.get("path.home");
        if (home == null) {
            System.err.println("OsNode: path.home=... is required");
            System.exit(2);
        }
        Path homePath = Path.of(home);
        for (String folder : new String[] {"config", "plugins", "modules"}) {
            Files.createDirectories(homePath.resolve(folder));
        }
        String nodeName = settings.get("node.name", "node-1");
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
                settings, Collections.emptyMap(), homePath.resolve("config"), () -> nodeName);

        OsNode node = new OsNode(environment);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception error) {
                error.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "searchlib-node-shutdown"));
        node.start();
        System.out.println("OsNode: " + nodeName + " started");
        // The node's own threads are daemons: this one keeps the JVM alive until the hook runs.
        stopped.await();
    }
}
