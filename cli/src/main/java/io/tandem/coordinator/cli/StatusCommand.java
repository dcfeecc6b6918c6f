package io.tandem.coordinator.cli;

import io.tandem.proto.admin.ClusterStatusResponse;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.InstanceView;
import io.tandem.proto.admin.PeerInfo;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

@Command(
    name = "status",
    description = {
      "Show the cluster (leader, term, commit index, peers) and every group.",
      "A peer the leader has not heard from for over 1 s is shown as UNREACHABLE",
      "with the time since its last contact."})
final class StatusCommand extends CtlCommand {
  /** Every instance of every group: runtime, readiness and the flows revision it has loaded. */
  static Table instanceTable(ClusterStatusResponse s) {
    Table t = new Table("GROUP", "INSTANCE", "RUNTIME", "READY", "REVISION");
    for (GroupView g : s.getGroupsList()) {
      for (InstanceView i : g.getInstancesList()) {
        boolean active = i.getId().equals(g.getActive());
        t.row(g.getName(), i.getId() + (active ? " *" : ""), i.getRuntime(), active ? "active" : Text.yesNo(i.getReady()),
            i.getLoadedRevision() > 0 ? i.getLoadedRevision() : "-");
      }
    }
    return t;
  }

  /** The role the leader gives a follower it has not heard from for a while. */
  static final String UNREACHABLE = "UNREACHABLE";

  @Override
  int run(AdminClient client) {
    ClusterStatusResponse s = client.statusFromLeader();
    if (json()) {
      Json.print(out(), Json.status(s));
      return 0;
    }
    PrintWriter out = out();
    out.printf(
        "leader %s (%s)  term %d  commit index %d  answered by %s%n%n",
        Text.orDash(s.getLeaderId()),
        Text.orDash(s.getLeaderAddress()),
        s.getTerm(),
        s.getCommitIndex(),
        Text.orDash(s.getAnsweredBy()));
    Table peers = new Table("PEER", "ROLE", "GRPC", "RAFT", "MATCH INDEX", "LAG", "LAST CONTACT");
    for (PeerInfo p : s.getPeersList()) {
      peers.row(
          p.getId(),
          p.getRole(),
          p.getGrpcAddress(),
          p.getRaftAddress(),
          p.getMatchIndex() < 0 ? "-" : p.getMatchIndex(),
          p.getLag() < 0 ? "-" : p.getLag(),
          Text.millis(p.getLastContactMillis()));
    }
    peers.print(out);
    if (s.getInsecure()) {
      out.printf("warning: %s runs with tls.insecure: plaintext, no certificates, no role checks;"
          + " anyone who reaches its ports can change the cluster (docs/security.md)%n", s.getAnsweredBy());
    }
    if (!s.getAnsweredBy().equals(s.getLeaderId()) && s.getBehindLeader() != 0) {
      out.printf("warning: answered by %s (%s), which %s: the groups below may be stale%n",
          s.getAnsweredBy(), Text.orDash(s.getAnsweredByRole()),
          s.getBehindLeader() < 0 ? "knows no leader"
              : "is " + s.getBehindLeader() + " entries behind the leader");
    }
    for (PeerInfo p : s.getPeersList()) {
      if (UNREACHABLE.equals(p.getRole())) {
        out.printf(
            "warning: peer %s is unreachable: no answer to the leader for %s; check that it runs"
                + " and that the leader can reach %s%n",
            p.getId(), Text.millis(p.getLastContactMillis()), p.getRaftAddress());
      }
    }
    out.println();
    if (s.getGroupsCount() == 0) {
      out.println("no groups (create one: tandemctl group create NAME --instance ID ...)");
    } else {
      GroupCommand.groupTable(s.getGroupsList()).print(out);
      out.println();
      instanceTable(s).print(out);
      s.getGroupsList().forEach(g -> GroupCommand.printNotReady(out, g));
    }
    out.flush();
    return 0;
  }
}
