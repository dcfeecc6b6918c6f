package io.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.it.flows.WitnessFlow;
import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.Faults;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.harness.Nginx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped ops/nginx/tandem.conf in a real nginx in front of a real cluster: clients sending
 * GETs to an http-in route through it see no error across a SIGKILL of the active's Node-RED, and
 * are served by the old active before and the new one after (the standby's 404s and the switch
 * are absorbed by proxy_next_upstream and the config's hold hops).
 */
class NginxFailoverIT {
  private static final int CLIENTS = 8;

  @Test
  void aCrashOfTheActiveCostsNoFailedRequestThroughTheShippedConfig() throws Exception {
    requireNginx();
    try (LocalCluster cluster = LocalCluster.start(ClusterSpec.forCi(List.of("a", "b")).withGroup("web"))) {
      AgentNode old = cluster.agent(cluster.activeInstance());
      try (Nginx nginx = Nginx.start(config(), IngressRuns.target(cluster.agent("a")), IngressRuns.target(cluster.agent("b")),
          cluster.workDir().resolve("nginx"))) {
        HttpLoad load = new HttpLoad(nginx.url() + WitnessFlow.HTTP_PATH, CLIENTS);
        load.start();
        Thread.sleep(2_000);
        Faults.crashNodeRed(old);
        load.awaitServedBy(IngressRuns.otherThan(old.instance()), Duration.ofSeconds(30));
        Thread.sleep(2_000); // and a while on the new active
        load.stop();
        System.out.printf("through nginx (%s): answers by status %s, by instance %s, %d errors%n", config(),
            load.statuses, load.servedBy, load.errors.size());
        assertThat(load.errors).as("requests that failed (nginx log %s)", nginx.process().log()).isEmpty();
        assertThat(load.statuses).as("answers by status; an answer other than 200 is one that nginx held"
            + " through all its hold hops without an active to serve it (agents' logs in %s, nginx's in %s)",
            cluster.workDir(), nginx.process().log()).containsOnlyKeys(200);
        assertThat(load.servedBy.keySet()).as("instances that answered").containsExactlyInAnyOrder("a", "b");
        assertThat(load.servedBy.get(old.instance()).get()).as("answers of the old active").isPositive();
      }
    }
  }

  /** The shipped config; -Dtandem.nginx.config=FILE runs another (to see a naive one fail). */
  private static java.nio.file.Path config() {
    return IngressRuns.config("tandem.nginx.config", Nginx.shippedConfig());
  }

  private static void requireNginx() {
    IngressRuns.require(Nginx.binary(), "nginx", "nginx-light");
  }
}
