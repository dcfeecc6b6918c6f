package io.tandem.coordinator.cli;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.ClusterStatusRequest;
import io.tandem.proto.admin.GetGroupRequest;
import io.tandem.proto.admin.TransitionEvent;
import io.tandem.proto.admin.WatchRequest;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "watch",
    description = {
      "Print committed transitions (of GROUP, or of every group) as they happen, until Ctrl-C.",
      "If the stream breaks (leader killed, frozen or changed) it reconnects to the new leader",
      "and first prints, from the history, what was committed in between."
    })
final class WatchCommand extends CtlCommand {
  private static final long IDLE_PROBE_MILLIS = 3000;
  private static final Object END = new Object();

  @Parameters(index = "0", arity = "0..1", paramLabel = "GROUP", description = "Only this group (default: every group).")
  String group = "";

  @Option(names = "--count", paramLabel = "N", defaultValue = "0", description = "Exit after N transitions (default: run until interrupted).")
  long count;

  private WatchOutput output;

  @Override
  int run(AdminClient client) {
    output = new WatchOutput(out(), json(), count);
    CoordinatorEndpoints endpoints = client.endpoints();
    if (!group.isEmpty()) {
      client.call(stub -> stub.getGroup(GetGroupRequest.newBuilder().setGroup(group).build()));
    }
    long baseline = client.call(stub -> stub.clusterStatus(ClusterStatusRequest.getDefaultInstance())).getCommitIndex();
    output.skipUpTo(baseline);
    boolean reconnecting = false;
    long backoffMillis = 100;
    while (true) {
      String address = endpoints.target();
      BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
      Context.CancellableContext call = Context.current().withCancellation();
      call.run(() -> AdminServiceGrpc.newStub(endpoints.channel(address)).watch(
          WatchRequest.newBuilder().setGroup(group).build(), new Forward(queue)));
      try {
        if (reconnecting) {
          boolean done = new HistoryGapFill(client, group, output).fill();
          err().println("tandemctl: watch: reconnected to " + address);
          err().flush();
          reconnecting = false;
          backoffMillis = 100;
          if (done) {
            return 0;
          }
        }
        String broken = consume(client, address, queue);
        if (broken == null) {
          return 0;
        }
        err().println("tandemctl: watch: stream from " + address + " broke (" + broken + "); reconnecting");
        err().flush();
      } catch (CtlException e) {
        if (e.exitCode() != CtlException.UNREACHABLE) {
          throw e;
        }
        // the cluster is not answering yet: keep trying until interrupted
      } finally {
        call.cancel(null);
      }
      reconnecting = true;
      sleep(backoffMillis);
      backoffMillis = Math.min(2000, backoffMillis * 2);
      endpoints.addresses().forEach(a -> endpoints.channel(a).resetConnectBackoff());
    }
  }

  /** Prints events until done (null) or the stream breaks (a description of why). */
  private String consume(AdminClient client, String address, BlockingQueue<Object> queue) {
    CoordinatorEndpoints endpoints = client.endpoints();
    while (true) {
      Object next;
      try {
        next = queue.poll(IDLE_PROBE_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      if (next == null) {
        try {
          // a frozen coordinator keeps the stream open but silent: check it still answers
          AdminServiceGrpc.newBlockingStub(endpoints.channel(address))
              .withDeadlineAfter(client.attemptTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .clusterStatus(ClusterStatusRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
          endpoints.onFailure(address, e);
          return "no answer to a check: " + CtlException.describe(e);
        }
      } else if (next == END) {
        return "closed by the coordinator";
      } else if (next instanceof Throwable t) {
        StatusRuntimeException e = Status.fromThrowable(t).asRuntimeException(Status.trailersFromThrowable(t));
        if (!endpoints.onFailure(address, e)) {
          throw CtlException.refused(e);
        }
        return CtlException.describe(e);
      } else if (output.emit((TransitionEvent) next)) {
        return null;
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CtlException(CtlException.UNREACHABLE, "interrupted");
    }
  }

  /** Hands stream callbacks to the command's thread. */
  private record Forward(BlockingQueue<Object> queue) implements StreamObserver<TransitionEvent> {
    @Override
    public void onNext(TransitionEvent value) {
      queue.add(value);
    }

    @Override
    public void onError(Throwable t) {
      queue.add(t);
    }

    @Override
    public void onCompleted() {
      queue.add(END);
    }
  }
}
