package io.tandem.agent.nodered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.tandem.proto.agent.RuntimeState;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Test helpers around a real Node-RED installed by bin/install-node-red. */
final class NodeRedFixture {
  static final Duration BOOT = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  private NodeRedFixture() {}

  /** ["node", ".../node_modules/node-red/red.js"]; fails (never skips) if Node-RED is not installed. */
  static List<String> nodeRedCommand() {
    String dir = System.getProperty("tandem.nodered.dir");
    if (dir == null || dir.isBlank()) {
      fail("system property tandem.nodered.dir is not set: run the tests through Maven, or run "
          + "bin/install-node-red and pass -Dtandem.nodered.dir=<its install folder>");
    }
    Path redJs = Path.of(dir, "node_modules", "node-red", "red.js");
    if (!Files.isRegularFile(redJs)) {
      fail("Node-RED is not installed at " + redJs + ": run bin/install-node-red (the agent module's build "
          + "runs it in process-test-resources; it needs npm and Node 20)");
    }
    return List.of("node", redJs.toString());
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static NodeRedSettings launchSettings(Path userDir, int port, Path tokenFile) {
    return new NodeRedSettings(NodeRedSettings.Mode.LAUNCH, nodeRedCommand(), userDir, "127.0.0.1", port,
        List.of(), Map.of(), null, tokenFile, Duration.ofMillis(100), Duration.ofMillis(250), 3,
        Duration.ofMillis(200), Duration.ofSeconds(2));
  }

  /** Records every status a runtime reports, in order. */
  static final class Recorder {
    final BlockingQueue<RuntimeStatus> seen = new LinkedBlockingQueue<>();

    Recorder(NodeRedRuntime runtime) {
      runtime.addListener(seen::add);
    }

    /** Waits for a reported status in {@code state}, skipping others; fails after {@code within}. */
    RuntimeStatus await(RuntimeState state, Duration within) throws InterruptedException {
      long deadline = System.nanoTime() + within.toNanos();
      while (true) {
        long left = deadline - System.nanoTime();
        RuntimeStatus s = left > 0 ? seen.poll(left, TimeUnit.NANOSECONDS) : null;
        if (s == null) {
          return fail("no " + state + " reported within " + within);
        }
        if (s.state() == state) {
          return s;
        }
      }
    }
  }

  static RuntimeStatus awaitStandby(NodeRedRuntime rt, Recorder rec) throws InterruptedException {
    RuntimeStatus s = rec.await(RuntimeState.RUNTIME_STANDBY, BOOT);
    assertThat(s.pid()).isPositive();
    return s;
  }

  /** GET http://127.0.0.1:port/path: status code (a flow's http-in route, not the admin API). */
  static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).GET().build();
    return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
  }

  static NodeRedAdminClient admin(int port, Path tokenFile) throws IOException {
    return new NodeRedAdminClient(URI.create("http://127.0.0.1:" + port + "/"), TokenFile.loadOrCreate(tokenFile));
  }

  /** http-in /ping -> "pong"; http-in /token -> global.get("tandem").token. */
  static final String PING_AND_TOKEN_FLOWS = """
      [
        {"id":"tab1","type":"tab","label":"tandem test"},
        {"id":"in1","type":"http in","z":"tab1","url":"/ping","method":"get","wires":[["fn1"]]},
        {"id":"fn1","type":"function","z":"tab1","func":"msg.payload = 'pong';\\nreturn msg;","outputs":1,"wires":[["out1"]]},
        {"id":"in2","type":"http in","z":"tab1","url":"/token","method":"get","wires":[["fn2"]]},
        {"id":"fn2","type":"function","z":"tab1","func":"msg.payload = String(global.get('tandem').token);\\nreturn msg;","outputs":1,"wires":[["out1"]]},
        {"id":"out1","type":"http response","z":"tab1","statusCode":"","wires":[]}
      ]
      """;

  /** An inject that fires once right after the flows start, into a function that never returns. */
  static final String HANG_FLOWS = """
      [
        {"id":"tab2","type":"tab","label":"hang"},
        {"id":"inj2","type":"inject","z":"tab2","once":true,"onceDelay":0.1,"repeat":"","payloadType":"date","wires":[["loop2"]]},
        {"id":"loop2","type":"function","z":"tab2","func":"while (true) {}\\nreturn msg;","outputs":1,"wires":[[]]}
      ]
      """;
}
