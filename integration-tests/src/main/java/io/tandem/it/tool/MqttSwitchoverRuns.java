package io.tandem.it.tool;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.it.flows.EditorDeploy;
import io.tandem.it.flows.MqttFlow;
import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.harness.Waits;
import io.tandem.it.mqtt.Mosquitto;
import io.tandem.it.mqtt.MqttRecorder;
import io.tandem.proto.admin.SwitchoverResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Planned switchovers of a flow with a real MQTT client: a mosquitto on 127.0.0.1, {@link MqttFlow}
 * deployed to the group (every instance runs it while active), and a subscriber in this JVM. A run
 * is {@code AdminService.Switchover}; it measures, at the subscriber, the gap between the old
 * active's last message and the new active's first.
 */
final class MqttSwitchoverRuns implements AutoCloseable {
  private static final long TIMEOUT_MS = 30_000;
  private static final java.time.format.DateTimeFormatter WALL =
      java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(java.time.ZoneOffset.UTC);
  private final LocalCluster cluster;
  private final Mosquitto broker;
  private final MqttRecorder recorder;
  private int oldAfterNew;

  MqttSwitchoverRuns(LocalCluster cluster) throws Exception {
    this.cluster = cluster;
    this.broker = new Mosquitto(cluster.workDir().resolve("mosquitto")).start();
    try {
      this.recorder = new MqttRecorder(broker.url(), MqttFlow.TOPIC);
      deploy();
    } catch (Exception | Error e) {
      broker.close();
      throw e;
    }
  }

  /** Deploys the MQTT tab through the active's editor and waits until the standbys loaded it and the active publishes. */
  private void deploy() throws Exception {
    AgentNode active = cluster.agent(cluster.activeInstance());
    long before = cluster.group().getCurrentRevision();
    JsonNode current = EditorDeploy.current(active.editorUrl(), Duration.ofSeconds(10));
    EditorDeploy.Answer a = EditorDeploy.post(active.editorUrl(), current.path("rev").asText(""),
        MqttFlow.addedTo(current, broker.port()), Duration.ofSeconds(30));
    if (!a.deployed()) {
      throw new IllegalStateException("the deploy of the MQTT flow was refused: " + a.status() + " " + a.message());
    }
    long revision = Waits.until("the MQTT flow's revision committed", Duration.ofSeconds(10), Duration.ofMillis(20),
        () -> cluster.admin().tryGroup(cluster.groupName()).map(g -> g.getCurrentRevision()).filter(r -> r > before));
    Waits.until("every instance loaded revision " + revision, Duration.ofSeconds(30), Duration.ofMillis(20),
        () -> cluster.admin().tryGroup(cluster.groupName())
            .filter(g -> g.getInstancesList().stream().allMatch(i -> i.getLoadedRevision() >= revision)).map(g -> true));
    String now = cluster.activeInstance();
    if (recorder.await(0, x -> x.instance().equals(now), TIMEOUT_MS).isEmpty()) {
      throw new IllegalStateException("the active " + now + " published nothing to " + MqttFlow.TOPIC + " within "
          + TIMEOUT_MS + " ms (broker log " + broker.log() + ")");
    }
  }

  /** One planned switchover to the standby: ms from the old active's last message to the new one's first. */
  long switchover() throws InterruptedException {
    String old = cluster.activeInstance();
    int mark = recorder.size();
    long askedAt = System.currentTimeMillis();
    SwitchoverResponse r = cluster.admin().switchover(cluster.groupName(), "");
    if (r.getToInstance().equals(old)) {
      throw new IllegalStateException("the switchover stayed on " + old);
    }
    Optional<MqttRecorder.Arrival> first = recorder.await(mark, x -> x.instance().equals(r.getToInstance()), TIMEOUT_MS);
    if (first.isEmpty()) {
      throw new IllegalStateException(r.getToInstance() + " published nothing within " + TIMEOUT_MS + " ms");
    }
    Waits.sleep(Duration.ofMillis(200)); // late messages of the old active would show here
    List<MqttRecorder.Arrival> all = recorder.arrivals();
    long lastOld = first.get().nanos();
    long lastOldWall = first.get().wallMillis();
    long lastOldSeq = -1;
    boolean seenNew = false;
    for (MqttRecorder.Arrival x : all.subList(Math.max(0, mark - 1), all.size())) {
      seenNew |= x == first.get();
      if (x.instance().equals(old)) {
        if (seenNew) {
          oldAfterNew++;
        } else {
          lastOld = x.nanos();
          lastOldWall = x.wallMillis();
          lastOldSeq = x.seq();
        }
      }
    }
    System.out.printf("    switchover %s -> %s asked at %s; last message of %s (seq %d) at %s, first of %s (seq %d) at %s%n",
        old, r.getToInstance(), WALL.format(java.time.Instant.ofEpochMilli(askedAt)), old, lastOldSeq,
        WALL.format(java.time.Instant.ofEpochMilli(lastOldWall)), r.getToInstance(), first.get().seq(),
        WALL.format(java.time.Instant.ofEpochMilli(first.get().wallMillis())));
    cluster.awaitSteady(FaultRuns.STEADY);
    return (first.get().nanos() - lastOld) / 1_000_000;
  }

  /** Messages of an old active that arrived after the new active's first (0 when the switch is clean). */
  int oldAfterNew() {
    return oldAfterNew;
  }

  @Override
  public void close() {
    recorder.close();
    broker.close();
  }
}
