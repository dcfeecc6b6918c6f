package io.tandem.coordinator.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.proto.admin.ClusterStatusResponse;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.InstanceView;
import io.tandem.proto.admin.PeerInfo;
import io.tandem.proto.admin.WriteResponse;
import io.tandem.proto.state.FlowsRevision;
import io.tandem.proto.state.Transition;
import java.io.PrintWriter;
import java.util.List;

/**
 * The --json output: stable camelCase field names chosen here (not the generated protobuf
 * names), empty strings for "none" and -1 for "unknown", as in the wire contract.
 */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static void print(PrintWriter out, ObjectNode node) {
    try {
      out.println(MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    out.flush();
  }

  /** One compact JSON object per line (for streams). */
  static void printLine(PrintWriter out, ObjectNode node) {
    try {
      out.println(MAPPER.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    out.flush();
  }

  static ObjectNode status(ClusterStatusResponse s) {
    ObjectNode n = object();
    n.put("leader", s.getLeaderId());
    n.put("leaderAddress", s.getLeaderAddress());
    n.put("term", s.getTerm());
    n.put("commitIndex", s.getCommitIndex());
    n.put("answeredBy", s.getAnsweredBy());
    n.put("answeredByRole", s.getAnsweredByRole());
    n.put("insecure", s.getInsecure());
    n.put("appliedIndex", s.getAppliedIndex());
    n.put("behindLeader", s.getBehindLeader());
    peers(n.putArray("peers"), s.getPeersList());
    groups(n.putArray("groups"), s.getGroupsList());
    return n;
  }

  static void peers(ArrayNode peers, List<PeerInfo> list) {
    for (PeerInfo p : list) {
      ObjectNode o = peers.addObject();
      o.put("id", p.getId());
      o.put("address", p.getGrpcAddress());
      o.put("raftAddress", p.getRaftAddress());
      o.put("role", p.getRole());
      o.put("matchIndex", p.getMatchIndex());
      o.put("lag", p.getLag());
      o.put("lastContactMillis", p.getLastContactMillis());
    }
  }

  static void groups(ArrayNode into, List<GroupView> groups) {
    for (GroupView g : groups) {
      into.add(group(g));
    }
  }

  static ObjectNode group(GroupView g) {
    ObjectNode o = object();
    o.put("name", g.getName());
    o.put("active", g.getActive());
    o.put("token", g.getToken());
    o.put("maintenance", g.getMaintenance());
    o.put("leaseLeftMillis", g.getLeaseLeftMillis());
    o.put("standbysReady", g.getStandbysReady());
    o.put("withoutReadyStandbyMillis", g.getWithoutReadyStandbyMillis());
    o.put("currentRevision", g.getCurrentRevision());
    o.put("mode", Text.mode(g.getMode()));
    ArrayNode locks = o.putArray("locks");
    g.getLocksList().forEach(l -> locks.add(lock(l)));
    ArrayNode instances = o.putArray("instances");
    for (InstanceView i : g.getInstancesList()) {
      ObjectNode io = instances.addObject();
      io.put("id", i.getId());
      io.put("host", i.getHost());
      io.put("priority", i.getPriority());
      io.put("noFailover", i.getNoFailover());
      io.put("runtime", i.getRuntime());
      io.put("ready", i.getReady());
      io.put("heartbeatAgeMillis", i.getHeartbeatAgeMillis());
      io.put("fencedToken", i.getFencedToken());
      io.put("loadedRevision", i.getLoadedRevision());
      io.put("notReadyReason", i.getNotReadyReason());
    }
    return o;
  }

  static ObjectNode lock(io.tandem.proto.admin.LockView l) {
    ObjectNode o = object();
    o.put("key", l.getKey());
    o.put("holder", l.getHolder());
    o.put("token", l.getToken());
    o.put("heldForMillis", l.getHeldForMillis());
    ArrayNode wanted = o.putArray("wantedBy");
    l.getWantedByList().forEach(wanted::add);
    return o;
  }

  static ObjectNode transition(String group, Transition t) {
    ObjectNode o = object();
    if (group != null) {
      o.put("group", group);
    }
    o.put("index", t.getIndex());
    o.put("kind", Text.kind(t.getKind()));
    o.put("from", t.getFromInstance());
    o.put("to", t.getToInstance());
    o.put("token", t.getToken());
    o.put("reason", t.getReason());
    if (!t.getLock().isEmpty()) {
      o.put("lock", t.getLock());
    }
    o.put("atUnixMillis", t.getAtUnixMillis());
    o.put("at", Text.time(t.getAtUnixMillis()));
    return o;
  }

  /** A revision's record without its content. */
  static ObjectNode revision(FlowsRevision r) {
    ObjectNode o = object();
    o.put("revision", r.getRevision());
    o.put("deployedBy", r.getDeployedBy());
    o.put("atUnixMillis", r.getAtUnixMillis());
    o.put("at", Text.time(r.getAtUnixMillis()));
    o.put("sizeBytes", r.getSizeBytes());
    o.put("digest", r.getDigest());
    ArrayNode modules = o.putArray("modules");
    r.getModulesList().forEach(modules::add);
    o.put("credentialKeyDigest", r.getCredentialKeyDigest());
    o.put("rollbackOf", r.getRollbackOf());
    return o;
  }

  static ObjectNode write(String command, String group, WriteResponse w) {
    ObjectNode o = object();
    o.put("command", command);
    o.put("group", group);
    o.put("index", w.getIndex());
    o.put("active", w.getActive());
    o.put("token", w.getToken());
    o.put("message", w.getMessage());
    return o;
  }
}
