package io.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.it.flows.WitnessFlow;
import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.Faults;
import io.tandem.it.harness.Haproxy;
import io.tandem.it.harness.LocalCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped ops/haproxy/tandem.cfg in a real haproxy in front of a real cluster: clients sending
 * GETs to an http-in route through it see no error across a SIGKILL of the active's Node-RED, and
 * are served by the old active before and the new one after.
 */
class HaproxyFailoverIT {
  private static final int CLIENTS = 8;

  @Test
  void aCrashOfTheActiveCostsNoFailedRequestThroughTheShippedConfig() throws Exception {
    requireHaproxy();
    try (LocalCluster cluster = LocalCluster.start(ClusterSpec.forCi(List.of("a", "b")).withGroup("web"))) {
      AgentNode old = cluster.agent(cluster.activeInstance());
      try (Haproxy haproxy = Haproxy.start(config(), IngressRuns.target(cluster.agent("a")),
          IngressRuns.target(cluster.agent("b")), cluster.workDir().resolve("haproxy"))) {
        HttpLoad load = new HttpLoad(haproxy.url() + WitnessFlow.HTTP_PATH, CLIENTS);
        load.start();
        Thread.sleep(2_000);
        Faults.crashNodeRed(old);
        load.awaitServedBy(IngressRuns.otherThan(old.instance()), Duration.ofSeconds(30));
        Thread.sleep(2_000); // and a while on the new active
        load.stop();
        System.out.printf("through haproxy (%s): answers by status %s, by instance %s, %d errors%n", config(),
            load.statuses, load.servedBy, load.errors.size());
        assertThat(load.errors).as("requests that failed (haproxy log %s)", haproxy.process().log()).isEmpty();
        assertThat(load.statuses).as("answers by status; an answer other than 200 is one that"
            + " haproxy held for its whole retry budget (about 3 s) without an active to serve it, or one that met a stopped instance (agents' logs in %s)",
            cluster.workDir()).containsOnlyKeys(200);
        assertThat(load.servedBy.keySet()).as("instances that answered").containsExactlyInAnyOrder("a", "b");
        assertThat(load.servedBy.get(old.instance()).get()).as("answers of the old active").isPositive();
      }
    }
  }

  /**
   * A planned switchover (tandemctl switchover): the old active's stopping flows answer 503 after a
   * short pause, so that haproxy's immediate retries outlast its next check of /active, and the
   * requests they took unanswered are closed (retried); with the 404 of before, up to a check
   * interval of 404s were retried on the old active and some reached the clients.
   */
  @Test
  void aPlannedSwitchoverCostsNoFailedRequestThroughTheShippedConfig() throws Exception {
    requireHaproxy();
    try (LocalCluster cluster = LocalCluster.start(ClusterSpec.forCi(List.of("a", "b")).withGroup("web"))) {
      AgentNode old = cluster.agent(cluster.activeInstance());
      String to = IngressRuns.otherThan(old.instance());
      try (Haproxy haproxy = Haproxy.start(config(), IngressRuns.target(cluster.agent("a")),
          IngressRuns.target(cluster.agent("b")), cluster.workDir().resolve("haproxy"))) {
        HttpLoad load = new HttpLoad(haproxy.url() + WitnessFlow.HTTP_PATH, CLIENTS);
        load.start();
        Thread.sleep(2_000);
        cluster.admin().switchover("web", to);
        load.awaitServedBy(to, Duration.ofSeconds(30));
        Thread.sleep(1_000); // and a while on the new active
        load.stop();
        System.out.printf("switchover through haproxy (%s): answers by status %s, by instance %s, %d errors%n",
            config(), load.statuses, load.servedBy, load.errors.size());
        assertThat(load.errors).as("requests that failed (haproxy log %s)", haproxy.process().log()).isEmpty();
        assertThat(load.statuses).as("answers by status; a 503 or 404 is one that met the stopping old active"
            + " (agents' logs in %s)", cluster.workDir()).containsOnlyKeys(200);
        assertThat(load.servedBy.get(old.instance()).get()).as("answers of the old active").isPositive();
      }
    }
  }

  /** The shipped config; -Dtandem.haproxy.config=FILE runs another (to see a naive one fail). */
  private static java.nio.file.Path config() {
    return IngressRuns.config("tandem.haproxy.config", Haproxy.shippedConfig());
  }

  private static void requireHaproxy() {
    IngressRuns.require(Haproxy.binary(), "haproxy", "haproxy");
  }
}
