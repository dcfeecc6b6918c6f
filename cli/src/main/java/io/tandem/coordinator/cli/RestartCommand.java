package io.tandem.coordinator.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.proto.admin.GetGroupRequest;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.InstanceView;
import io.tandem.proto.admin.RestartInstanceRequest;
import io.tandem.proto.admin.RestartInstanceResponse;
import io.tandem.proto.admin.SwitchoverRequest;
import io.tandem.proto.admin.SwitchoverResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "restart",
    description = {
      "Rolling restart of GROUP's Node-REDs without an outage: restart each standby and wait until",
      "the coordinators show it a ready standby on the group's current flows revision; then a",
      "planned switchover to a restarted standby; then restart the former active the same way.",
      "With --node-red-version, every agent relaunches Node-RED from its install of that version",
      "(nodeRed.installs in its config); an agent without one refuses, and the restart stops there.",
      "A failed step, a timeout or Ctrl-C stops at once and leaves the group safe: the active is",
      "restarted only after a switchover away from it succeeded."
    })
final class RestartCommand extends CtlCommand {
  private static final Duration SERVER_SLACK = Duration.ofSeconds(2);

  @Parameters(index = "0", paramLabel = "GROUP")
  String group;

  @Option(names = "--node-red-version", paramLabel = "VERSION",
      description = "Relaunch every instance on this Node-RED version (default: the install it runs).")
  String version = "";

  @Option(
      names = "--wait-timeout",
      paramLabel = "DURATION",
      defaultValue = "120s",
      converter = DurationConverter.class,
      description = "How long one step may take: an instance's restart until it is a ready standby, or the"
          + " switchover (default: ${DEFAULT-VALUE}).")
  Duration waitTimeout;

  private final List<ObjectNode> steps = new ArrayList<>();
  private volatile String state = "";
  private long t0;
  private int stepNo;
  private int stepCount;

  @Override
  int run(AdminClient client) {
    t0 = System.nanoTime();
    GroupView g = group(client);
    if (g.getActive().isEmpty()) {
      throw new CtlException(CtlException.REFUSED, "group " + group + " has no active instance: nothing was"
          + " restarted (the coordinators activate a ready standby by themselves; retry once it has one)");
    }
    if (g.getMaintenance()) {
      throw new CtlException(CtlException.REFUSED, "group " + group + " is in maintenance (failover paused), so"
          + " the switchover a rolling restart needs is refused: nothing was restarted; turn maintenance off first");
    }
    String from = g.getActive();
    List<String> standbys = g.getInstancesList().stream().map(InstanceView::getId).filter(i -> !i.equals(from))
        .toList();
    if (standbys.isEmpty()) {
      throw new CtlException(CtlException.REFUSED, "group " + group + " has no standby: restarting " + from
          + " would stop its flows until Node-RED is back; nothing was restarted");
    }
    stepCount = standbys.size() + 2;
    progress("restarting group %s%s: standby%s %s first, then a switchover away from %s, then %s",
        group, version.isEmpty() ? "" : " on Node-RED " + version, standbys.size() == 1 ? "" : "s",
        String.join(", ", standbys), from, from);
    Thread onInterrupt = new Thread(() -> {
      err().println("tandemctl: interrupted; " + state);
      err().flush();
    }, "tandemctl-restart-interrupted");
    Runtime.getRuntime().addShutdownHook(onInterrupt);
    try {
      List<String> done = new ArrayList<>();
      for (String s : standbys) {
        state = "group " + group + " is safe: its active " + from + " was not touched; " + s + " was being"
            + " restarted (the coordinators finish that on their own; see tandemctl status)"
            + restartedSoFar(done) + ". To continue, run " + again() + " again.";
        restart(client, g, s);
        done.add(s);
      }
      state = "group " + group + " is safe: every standby (" + String.join(", ", done) + ") was restarted and "
          + from + " was not; a switchover away from " + from + " was under way (see tandemctl status " + group
          + "). To finish, run " + again() + " again, or tandemctl switchover " + group
          + " and then " + again() + ".";
      SwitchoverResponse sw = switchover(client);
      String to = sw.getToInstance();
      state = "group " + group + " is safe: " + to + " is the active (token " + sw.getToken() + ") and " + from
          + ", the former active, was being restarted as a standby (the coordinators finish that on their own;"
          + " see tandemctl status " + group + "); until it is ready the group has no spare. Nothing else is"
          + " left to do once it shows ready.";
      GroupView now = awaitHealthyActive(client, to);
      restart(client, now, from);
      state = "";
      GroupView end = group(client);
      long ms = millisSince(t0);
      if (json()) {
        ObjectNode o = result(end, ms);
        Json.print(out(), o);
      } else {
        out().printf("restarted group %s in %.1f s: active %s (token %d), ready standbys %d%n", group, ms / 1000.0,
            Text.orDash(end.getActive()), end.getToken(), end.getStandbysReady());
        out().flush();
      }
      return 0;
    } catch (CtlException e) {
      String where = state;
      state = "";
      throw new CtlException(e.exitCode(), e.getMessage() + System.lineSeparator() + "  " + where);
    } finally {
      if (state.isEmpty()) {
        try {
          Runtime.getRuntime().removeShutdownHook(onInterrupt);
        } catch (IllegalStateException exiting) {
          // the JVM is exiting: the hook prints the state
        }
      }
    }
  }

  /** The command that goes on: the same group and version. */
  private String again() {
    return "tandemctl restart " + group + (version.isEmpty() ? "" : " --node-red-version " + version);
  }

  private String restartedSoFar(List<String> done) {
    return done.isEmpty() ? "" : "; already restarted: " + String.join(", ", done);
  }

  private GroupView group(AdminClient client) {
    return client.readFromLeader(stub -> stub.getGroup(GetGroupRequest.newBuilder().setGroup(group).build()));
  }

  private void restart(AdminClient client, GroupView before, String instance) {
    int n = ++stepNo;
    Optional<InstanceView> was = before.getInstancesList().stream().filter(i -> i.getId().equals(instance))
        .findFirst();
    long pidBefore = was.map(InstanceView::getRuntimePid).orElse(0L);
    RestartInstanceRequest req = RestartInstanceRequest.newBuilder()
        .setRequestId(AdminClient.newRequestId())
        .setGroup(group)
        .setInstance(instance)
        .setNodeRedVersion(version)
        .setTimeoutMillis(waitTimeout.toMillis())
        .build();
    progress("[%d/%d] restart %s (pid %s, Node-RED %s) ...", n, stepCount, instance, orUnknown(pidBefore),
        Text.orDash(was.map(InstanceView::getNodeRedVersion).orElse("")));
    long t = System.nanoTime();
    RestartInstanceResponse r;
    try {
      // one request id: a retry (another leader, a lost answer) joins the first; the agent restarts once
      Duration perAttempt = waitTimeout.plus(SERVER_SLACK).plus(client.attemptTimeout());
      r = client.call(stub -> stub.restartInstance(req), perAttempt, perAttempt.plus(root().timeout), true);
    } catch (CtlException e) {
      progress("[%d/%d] restart %s FAILED after %.1f s", n, stepCount, instance, millisSince(t) / 1000.0);
      if (e.failedPrecondition()) { // refused: nothing was restarted, so "being restarted" would be wrong
        state = "group " + group + " is safe: " + instance + " refused the restart and runs as before"
            + (before.getActive().isEmpty() ? "" : "; the active is " + before.getActive())
            + ". Fix what the refusal says, then run " + again() + " again.";
      }
      throw e.prefixed("restart of " + instance + " failed: ");
    }
    progress("[%d/%d] restart %s: a ready standby again after %.1f s (pid %s -> %s, Node-RED %s, revision %d)",
        n, stepCount, instance, millisSince(t) / 1000.0, orUnknown(pidBefore), orUnknown(r.getRuntimePid()),
        Text.orDash(r.getNodeRedVersion()), r.getLoadedRevision());
    ObjectNode step = Json.object();
    step.put("step", "restart");
    step.put("instance", instance);
    step.put("elapsedMillis", r.getElapsedMillis());
    step.put("pidBefore", pidBefore);
    step.put("pidAfter", r.getRuntimePid());
    step.put("nodeRedVersion", r.getNodeRedVersion());
    step.put("loadedRevision", r.getLoadedRevision());
    steps.add(step);
  }

  private SwitchoverResponse switchover(AdminClient client) {
    int n = ++stepNo;
    String requestId = AdminClient.newRequestId();
    SwitchoverRequest req = SwitchoverRequest.newBuilder().setRequestId(requestId).setGroup(group)
        .setTimeoutMillis(Math.min(waitTimeout.toMillis(), Duration.ofMinutes(10).toMillis())).build();
    progress("[%d/%d] switchover ...", n, stepCount);
    long t = System.nanoTime();
    Duration perAttempt = waitTimeout.plus(SERVER_SLACK).plus(client.attemptTimeout());
    SwitchoverResponse r;
    try {
      r = client.call(stub -> stub.switchover(req), perAttempt, perAttempt.plus(root().timeout), false);
    } catch (CtlException e) {
      if (!e.answerMissing()) {
        progress("[%d/%d] switchover FAILED after %.1f s", n, stepCount, millisSince(t) / 1000.0);
        throw new CtlException(e.exitCode(), "switchover failed: " + e.getMessage());
      }
      r = SwitchoverOutcome.await(client, requestId, group, waitTimeout.plus(SERVER_SLACK), e).getSwitchover();
    }
    progress("[%d/%d] switchover %s -> %s: token %d, %d ms", n, stepCount, r.getFromInstance(),
        r.getToInstance(), r.getToken(), r.getElapsedMillis());
    ObjectNode step = Json.object();
    step.put("step", "switchover");
    step.put("from", r.getFromInstance());
    step.put("to", r.getToInstance());
    step.put("token", r.getToken());
    step.put("elapsedMillis", r.getElapsedMillis());
    steps.add(step);
    return r;
  }

  /**
   * The new active's first heartbeats after its activation: until the leader hears its flows
   * running under a live lease it refuses to restart the former active, the only ready standby.
   */
  private GroupView awaitHealthyActive(AdminClient client, String active) {
    long deadline = System.nanoTime() + waitTimeout.toNanos();
    while (true) {
      GroupView g = group(client);
      Optional<InstanceView> a = g.getInstancesList().stream().filter(i -> i.getId().equals(active)).findFirst();
      if (g.getActive().equals(active) && g.getLeaseLeftMillis() > 0
          && a.map(i -> i.getRuntime().equals("running")).orElse(false)) {
        return g;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new CtlException(CtlException.REFUSED, active + " did not report its flows running within "
            + waitTimeout.toMillis() + " ms after the switchover (active: " + Text.orDash(g.getActive())
            + ", its runtime: " + a.map(InstanceView::getRuntime).orElse("unknown") + ")");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CtlException(CtlException.REFUSED, "interrupted");
      }
    }
  }

  private ObjectNode result(GroupView end, long ms) {
    ObjectNode o = Json.object();
    o.put("group", group);
    o.put("nodeRedVersion", version);
    o.put("active", end.getActive());
    o.put("token", end.getToken());
    o.put("standbysReady", end.getStandbysReady());
    o.put("elapsedMillis", ms);
    ArrayNode a = o.putArray("steps");
    steps.forEach(a::add);
    return o;
  }

  /** Progress lines: on stdout, or on stderr with --json (stdout holds the result only). */
  private void progress(String format, Object... args) {
    PrintWriter w = json() ? err() : out();
    w.printf("%6.1fs  " + format + "%n", prepend(millisSince(t0) / 1000.0, args));
    w.flush();
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  private static String orUnknown(long pid) {
    return pid > 0 ? Long.toString(pid) : "?";
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
