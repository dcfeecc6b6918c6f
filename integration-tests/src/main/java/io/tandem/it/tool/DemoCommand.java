package io.tandem.it.tool;

import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.Faults;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.harness.Repo;
import io.tandem.it.witness.WitnessCall;
import io.tandem.proto.admin.GroupView;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Starts a local cluster with two Node-RED instances, crashes the active one, and keeps running. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Start 3 coordinators and 2 Node-RED instances (a, b) with their agents on 127.0.0.1,",
        "show who is active, deploy a new flow in its editor and show it reach the standby,",
        "SIGKILL the active Node-RED, print the takeover time and the new active running the new flow, and keep the",
        "cluster running for you to explore with tandemctl until Ctrl-C (everything is cleaned up)."})
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--group", defaultValue = "line1", description = "Group name (default: ${DEFAULT-VALUE}).")
  String group;

  @Option(names = "--no-crash", description = "Do not crash the active Node-RED; just start the cluster.")
  boolean noCrash;

  @Override
  public Integer call() throws Exception {
    System.out.println("Starting 3 coordinators and 2 Node-RED instances with their agents (about 20 s)...");
    LocalCluster cluster = LocalCluster.start(ClusterSpec.defaults(List.of("a", "b")).withGroup(group)
        .withHangRoute(false));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("\nStopping the cluster...");
      cluster.close();
    }, "demo-cleanup"));
    // mutual TLS is on: tandemctl uses the demo's admin certificate
    String ctl = Repo.root().resolve("bin/tandemctl") + " --coordinators " + cluster.coordinatorsCsv()
        + " " + String.join(" ", cluster.certs().ctlArgs());
    System.out.println();
    System.out.println("Work dir (configs, logs, witness.log): " + cluster.workDir());
    System.out.println("Coordinators (gRPC): " + cluster.coordinatorsCsv());
    System.out.println("Mutual TLS on; CA and certificates: " + cluster.certs().dir());
    for (AgentNode a : cluster.agents()) {
      System.out.printf("  %s: Node-RED editor %s   agent status %sstatus%n", a.instance(), a.editorUrl(), a.apiUrl());
    }
    GroupView g = cluster.group();
    System.out.printf("%nActive in group %s: %s (fencing token %d). Its flow calls a witness every 20 ms.%n",
        group, g.getActive(), g.getToken());
    String deployed = deploy(cluster, cluster.agent(g.getActive()), g.getCurrentRevision());
    if (!noCrash) {
      String before = deployed == null ? "" : DemoDeploy.get(cluster.agent(g.getActive()), DemoDeploy.COUNTER_PATH);
      if (deployed != null) {
        System.out.printf("Its flow counts in the replicated context store (global \"demoCounter\", store tandem): %s%n",
            before);
      }
      crash(cluster, cluster.agent(g.getActive()));
      if (deployed != null) {
        AgentNode now = cluster.agent(cluster.group().getActive());
        System.out.printf("%s answers GET %s%s after the failover: \"%s\" (the flows deployed in %s's editor).%n",
            now.instance(), now.editorUrl(), DemoDeploy.PATH, DemoDeploy.get(now), g.getActive());
        System.out.printf("The counter survived the failover: %s before the crash, %s now on %s (GET %s%s).%n",
            before, DemoDeploy.get(now, DemoDeploy.COUNTER_PATH), now.instance(), now.editorUrl(),
            DemoDeploy.COUNTER_PATH);
      }
    }
    System.out.println();
    System.out.println("Explore:");
    System.out.println("  " + ctl + " status");
    System.out.println("  " + ctl + " switchover " + group);
    System.out.println("  " + ctl + " history " + group);
    System.out.println("  " + ctl + " flows history " + group);
    System.out.println("Press Ctrl-C to stop; every process is cleaned up.");
    watch(cluster);
    return 0;
  }

  /** A deploy in the active's editor, committed through Raft and loaded by the standby. */
  private static String deploy(LocalCluster cluster, AgentNode active, long revisionBefore) throws Exception {
    System.out.printf("Deploying a new flow (GET /%s) in %s's editor (POST %sflows, as the editor does)...%n",
        DemoDeploy.PATH, active.instance(), active.editorUrl());
    long t0 = System.nanoTime();
    String answer = DemoDeploy.deploy(active);
    GroupView g = DemoDeploy.awaitLoadedEverywhere(cluster, revisionBefore, Duration.ofSeconds(30));
    if (g == null) {
      System.out.println("The standby did not load the deploy within 30 s: see the logs in " + cluster.workDir());
      return null;
    }
    System.out.printf("The deploy reached the standby: committed as flows revision %d; %s (%d ms after the deploy).%n",
        g.getCurrentRevision(), DemoDeploy.loadedBy(g), (System.nanoTime() - t0) / 1_000_000);
    return answer;
  }

  private static void crash(LocalCluster cluster, AgentNode active) throws InterruptedException {
    long pid = active.nodeRedPid(Duration.ofSeconds(5));
    System.out.printf("Killing %s's Node-RED (pid %d) with SIGKILL...%n", active.instance(), pid);
    int mark = cluster.witness().size();
    long t0 = Faults.crashNodeRed(active);
    Optional<WitnessCall> first = cluster.witness().await(mark,
        c -> c.accepted() && !c.instance().equals(active.instance()), 30_000);
    if (first.isEmpty()) {
      System.out.println("No takeover within 30 s: see the logs in " + cluster.workDir());
      return;
    }
    WitnessCall c = first.get();
    System.out.printf("%s took over: its flow's first call (token %d) was served %d ms after the crash.%n",
        c.instance(), c.token(), (c.nanos() - t0) / 1_000_000);
    AgentNode back = cluster.awaitSteady(Duration.ofSeconds(60));
    System.out.printf("%s's agent restarted its Node-RED as the new standby; %s is active.%n",
        active.instance(), back.instance());
  }

  /** Prints every change of the active instance until the JVM is stopped. */
  private static void watch(LocalCluster cluster) throws InterruptedException {
    String last = cluster.activeInstance() + "@" + cluster.group().getToken();
    while (!Thread.currentThread().isInterrupted()) {
      Thread.sleep(500);
      Optional<GroupView> g = cluster.admin().tryGroup(cluster.groupName());
      if (g.isPresent()) {
        String now = g.get().getActive() + "@" + g.get().getToken();
        if (!now.equals(last)) {
          System.out.printf("active is now %s (token %d)%n",
              g.get().getActive().isEmpty() ? "nobody" : g.get().getActive(), g.get().getToken());
          last = now;
        }
      }
    }
  }
}
