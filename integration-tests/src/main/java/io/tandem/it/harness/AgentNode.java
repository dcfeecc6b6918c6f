package io.tandem.it.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.it.flows.WitnessFlow;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** One agent process and the Node-RED it launches: ports, userDir, local API. */
public final class AgentNode {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(1)).build();

  private final String instance;
  private final int httpPort = Ports.free();
  private final int nodeRedPort = Ports.free();
  private final Path dir;
  private ManagedProcess process;

  AgentNode(String instance, Path workDir) {
    this.instance = instance;
    this.dir = workDir.resolve("agent-" + instance);
  }

  void attach(ManagedProcess p) {
    this.process = p;
  }

  public String instance() {
    return instance;
  }

  public int httpPort() {
    return httpPort;
  }

  public int nodeRedPort() {
    return nodeRedPort;
  }

  public Path userDir() {
    return dir.resolve("userdir");
  }

  public Path tokenFile() {
    return dir.resolve("agent.token");
  }

  public ManagedProcess process() {
    return process;
  }

  public String apiUrl() {
    return "http://127.0.0.1:" + httpPort + "/";
  }

  public String editorUrl() {
    return "http://127.0.0.1:" + nodeRedPort + "/";
  }

  /** GET /status of the agent's local API, or empty if it does not answer within 1 s. */
  public Optional<AgentStatus> status() {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(apiUrl() + "status"))
          .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(AgentStatus.from(JSON.readTree(r.body()))) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** The pid of the Node-RED this agent runs now (from /status), waiting up to {@code timeout}. */
  public long nodeRedPid(Duration timeout) {
    return Waits.until(instance + "'s Node-RED pid", timeout, Duration.ofMillis(20),
        () -> status().filter(s -> s.pid() > 0).map(AgentStatus::pid));
  }

  /** Sends GET on the flow's hang route without waiting for an answer (there will be none). */
  public void triggerHang() {
    HTTP.sendAsync(HttpRequest.newBuilder(URI.create(editorUrl().replaceAll("/$", "") + WitnessFlow.HANG_PATH))
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.discarding());
  }

  @Override
  public String toString() {
    return instance + " (" + process + ")";
  }
}
