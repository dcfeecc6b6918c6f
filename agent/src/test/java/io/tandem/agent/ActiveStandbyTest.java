package io.tandem.agent;

import static io.tandem.agent.AgentHarness.LONG;
import static io.tandem.agent.AgentHarness.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.agent.http.AgentSnapshot;
import io.tandem.agent.nodered.NodeRedAdminClient;
import io.tandem.agent.nodered.RuntimeControlException;
import io.tandem.proto.admin.SwitchoverRequest;
import io.tandem.proto.admin.SwitchoverResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two agents with real Node-RED under a real coordinator cluster: exactly one runs its flows. */
class ActiveStandbyTest {
  private AgentHarness h;
  private Agent a;
  private Agent b;

  @BeforeEach
  void start() throws Exception {
    h = AgentHarness.start("line1", "a", "b");
    a = h.startAgent("a");
    b = h.startAgent("b");
  }

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void onlyTheActiveRunsItsFlowsAndTheStandbyStaysStopped() throws Exception {
    Agent active = h.awaitSteady(LONG);
    Agent standby = active == a ? b : a;
    String name = active.config().instance();
    await("lines from the active's flows", LONG, () -> h.linesFrom(name) >= 10);
    AgentSnapshot s = active.snapshot();
    assertThat(s.activeNow(System.nanoTime())).as(AgentHarness.describe(active)).isTrue();
    long token = s.token();
    assertThat(token).isPositive();

    List<String> lines = h.lines();
    assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(l).isEqualTo(name + " " + token));
    assertThat(h.ping(active)).isEqualTo(200);
    assertThat(h.ping(standby)).as("http-in of stopped flows").isEqualTo(404);
    assertThat(h.adminClient(standby).getFlowsState()).isEqualTo("stop");
    assertThat(h.adminClient(active).getFlowsState()).isEqualTo("start");
    assertThat(h.linesFrom(standby.config().instance())).isZero();
    await("the onActivate hook", LONG,
        () -> h.hookLines().contains("activate " + name + " " + token));
  }

  @Test
  void activeAnswers200OnExactlyOneInstanceAndAStaleTokenIsRefused() throws Exception {
    Agent active = h.awaitSteady(LONG);
    Agent standby = active == a ? b : a;
    for (int i = 0; i < 5; i++) {
      assertThat(h.agentHttp(active, "/active")).isEqualTo(200);
      assertThat(h.agentHttp(standby, "/active")).isEqualTo(503);
      assertThat(h.agentHttp(standby, "/health")).isEqualTo(200);
      AgentHarness.sleep(100);
    }

    long token = active.snapshot().token();
    NodeRedAdminClient admin = h.adminClient(active);
    assertThat(admin.getToken()).isEqualTo(token);
    assertThatThrownBy(() -> admin.setToken(token - 1))
        .isInstanceOfSatisfying(RuntimeControlException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(409);
          assertThat(e.isStaleToken()).isTrue();
        });
    assertThat(admin.getToken()).as("a refused token changes nothing").isEqualTo(token);
    assertThat(h.agentHttp(active, "/active")).isEqualTo(200);

    // a graceful shutdown stops the flows and reports SHUTDOWN: the standby takes over at once
    long pid = active.snapshot().pid();
    long t0 = System.nanoTime();
    active.close();
    await("the standby to take over after the active's shutdown", Duration.ofSeconds(15),
        () -> standby.snapshot().activeNow(System.nanoTime()));
    System.out.printf("graceful shutdown of %s -> %s active in %d ms%n", active.config().instance(),
        standby.config().instance(), (System.nanoTime() - t0) / 1_000_000);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
        .as("the agent's Node-RED is gone").isFalse();
    await("the onDeactivate hook", LONG, () -> h.hookLines()
        .contains("deactivate " + active.config().instance() + " " + token));
  }

  @Test
  void plannedSwitchoverStopsTheActiveFirstThenStartsTheOther() throws Exception {
    Agent active = h.awaitSteady(LONG);
    Agent standby = active == a ? b : a;
    long oldToken = active.snapshot().token();

    // one request id for every attempt: a retry after a lost answer gets the first outcome
    // instead of a second switchover
    SwitchoverRequest switchover = SwitchoverRequest.newBuilder()
        .setRequestId(UUID.randomUUID().toString()).setGroup("line1")
        .setToInstance(standby.config().instance()).build();
    SwitchoverResponse r = h.client().admin(s -> s.switchover(switchover));
    assertThat(r.getFromInstance()).isEqualTo(active.config().instance());
    assertThat(r.getToInstance()).isEqualTo(standby.config().instance());
    assertThat(r.getToken()).isGreaterThan(oldToken);
    await("the new active's flows", LONG, () -> standby.snapshot().activeNow(System.nanoTime())
        && h.linesFrom(standby.config().instance()) > 3);
    assertThat(active.snapshot().lastReason())
        .isEqualTo("flows stopped: a planned switchover asked this instance to release token "
            + oldToken);
    assertThat(active.snapshot().fencedToken()).isEqualTo(oldToken);
    assertThat(AgentHarness.runtimeIs(active, "STANDBY")).isTrue();
    System.out.printf("switchover %s -> %s took %d ms (coordinator's figure)%n",
        r.getFromInstance(), r.getToInstance(), r.getElapsedMillis());
  }
}
