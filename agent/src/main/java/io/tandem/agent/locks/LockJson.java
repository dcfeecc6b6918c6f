package io.tandem.agent.locks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.agent.control.LockState;

/** The JSON of the lock API: the role document and lock objects (docs/locks.md). */
public final class LockJson {
  static final ObjectMapper JSON = new ObjectMapper();

  private LockJson() {}

  public static ObjectNode lock(LockState l, long nowNanos) {
    return JSON.createObjectNode()
        .put("key", l.key())
        .put("held", l.held())
        .put("token", l.token())
        .put("holder", l.holder())
        .put("wanted", l.wanted())
        .put("validForMillis", l.validForMillis(nowNanos));
  }

  public static ArrayNode locks(RoleState s, long nowNanos) {
    ArrayNode a = JSON.createArrayNode();
    s.locks().forEach(l -> a.add(lock(l, nowNanos)));
    return a;
  }

  public static ObjectNode role(RoleState s, long nowNanos) {
    ObjectNode o = JSON.createObjectNode()
        .put("version", s.version())
        .put("group", s.group())
        .put("instance", s.instance())
        .put("mode", s.mode())
        .put("role", s.role())
        .put("active", s.active())
        .put("activeEditorUrl", s.activeEditorUrl())
        .put("token", s.token())
        .put("revision", s.revision())
        .put("leaseLeftMillis", s.leaseLeftMillis(nowNanos))
        .put("coordinator", s.coordinator());
    o.set("locks", locks(s, nowNanos));
    return o;
  }
}
