package io.tandem.coordinator.state;

import io.tandem.proto.state.AcquireLock;
import io.tandem.proto.state.Activate;
import io.tandem.proto.state.GroupMode;
import io.tandem.proto.state.ReleaseLock;
import io.tandem.proto.state.AddInstance;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.ContextOp;
import io.tandem.proto.state.ContextWrite;
import io.tandem.proto.state.CreateGroup;
import io.tandem.proto.state.Deactivate;
import io.tandem.proto.state.DeleteGroup;
import io.tandem.proto.state.EditorDataKind;
import io.tandem.proto.state.PutEditorData;
import io.tandem.proto.state.SetFlows;
import com.google.protobuf.ByteString;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.RemoveInstance;
import io.tandem.proto.state.SetMaintenance;

/** Short builders for commands in tests. */
final class TestCommands {
  static final long STAMP = 1_700_000_000_000L;

  private TestCommands() {}

  static InstanceSpec spec(String id, int priority) {
    return InstanceSpec.newBuilder().setId(id).setHost(id + ".example").setPriority(priority).build();
  }

  static Command create(String group, String... instances) {
    CreateGroup.Builder c = CreateGroup.newBuilder().setGroup(group);
    for (String i : instances) {
      c.addInstances(spec(i, 0));
    }
    return stamped().setCreateGroup(c).build();
  }

  /** An all-active group. */
  static Command createAllActive(String group, String... instances) {
    Command c = create(group, instances);
    return c.toBuilder().setCreateGroup(c.getCreateGroup().toBuilder().setMode(GroupMode.ALL_ACTIVE)).build();
  }

  static Command acquire(String group, String key, String instance, long expectedToken) {
    return stamped().setAcquireLock(AcquireLock.newBuilder().setGroup(group).setKey(key).setInstance(instance)
        .setExpectedToken(expectedToken).setReason("test gives " + key + " to " + instance)).build();
  }

  static Command releaseLock(String group, String key, long token, String instance) {
    return stamped().setReleaseLock(ReleaseLock.newBuilder().setGroup(group).setKey(key).setToken(token)
        .setInstance(instance)).build();
  }

  static Command delete(String group) {
    return stamped().setDeleteGroup(DeleteGroup.newBuilder().setGroup(group)).build();
  }

  static Command add(String group, String instance) {
    return stamped().setAddInstance(AddInstance.newBuilder().setGroup(group).setInstance(spec(instance, 0))).build();
  }

  static Command remove(String group, String instance) {
    return stamped().setRemoveInstance(RemoveInstance.newBuilder().setGroup(group).setInstance(instance)).build();
  }

  static Command activate(String group, String instance, long expectedToken) {
    return stamped()
        .setActivate(Activate.newBuilder().setGroup(group).setInstance(instance)
            .setExpectedToken(expectedToken).setReason("test activates " + instance))
        .build();
  }

  /** Activate under {@code expectedToken} on the group's flows revision {@code expectedRevision}. */
  static Command activate(String group, String instance, long expectedToken, long expectedRevision) {
    Command c = activate(group, instance, expectedToken);
    return c.toBuilder().setActivate(c.getActivate().toBuilder().setExpectedRevision(expectedRevision)).build();
  }

  static Command deactivate(String group, long expectedToken) {
    return stamped()
        .setDeactivate(Deactivate.newBuilder().setGroup(group).setExpectedToken(expectedToken).setReason("test"))
        .build();
  }

  static Command maintenance(String group, boolean on) {
    return stamped().setSetMaintenance(SetMaintenance.newBuilder().setGroup(group).setOn(on)).build();
  }

  /** A deploy of {@code flows} (credentials "{}") under {@code token} on top of {@code expectedRevision}. */
  static Command deploy(String group, long token, long expectedRevision, String flows) {
    return stamped().setSetFlows(SetFlows.newBuilder().setGroup(group).setToken(token).setInstance("")
        .setExpectedRevision(expectedRevision).setFlows(ByteString.copyFromUtf8(flows))
        .setCredentials(ByteString.copyFromUtf8("{\"$\":\"abc\"}")).setDeployedBy("a/admin")
        .addModules("node-red@4.1.8").setCredentialKeyDigest("k1").setKeepRevisions(20)).build();
  }

  static Command deployFrom(String instance, String group, long token, long expectedRevision, String flows) {
    Command c = deploy(group, token, expectedRevision, flows);
    return c.toBuilder().setSetFlows(c.getSetFlows().toBuilder().setInstance(instance)).build();
  }

  static Command importFlows(String group, long expectedRevision, String flows) {
    return stamped().setSetFlows(SetFlows.newBuilder().setGroup(group).setFromAdmin(true)
        .setExpectedRevision(expectedRevision).setFlows(ByteString.copyFromUtf8(flows))
        .setDeployedBy("tandemctl import").setKeepRevisions(20)).build();
  }

  static Command rollback(String group, long expectedRevision, long to) {
    return stamped().setSetFlows(SetFlows.newBuilder().setGroup(group).setFromAdmin(true)
        .setExpectedRevision(expectedRevision).setRollbackOf(to)
        .setDeployedBy("tandemctl rollback").setKeepRevisions(20)).build();
  }

  static Command editorData(String group, long token, EditorDataKind kind, String key, String value) {
    return stamped().setPutEditorData(PutEditorData.newBuilder().setGroup(group).setToken(token)
        .setKind(kind).setKey(key).setValue(ByteString.copyFromUtf8(value))).build();
  }

  /** A ContextWrite of {@code instance} under {@code token} with the default limits stamped. */
  static Command contextWrite(String group, String instance, long token, ContextOp... ops) {
    return contextWrite(group, instance, token, 1024 * 1024, 32L * 1024 * 1024, ops);
  }

  static Command contextWrite(String group, String instance, long token, long maxValue, long maxGroup,
      ContextOp... ops) {
    return stamped().setContextWrite(ContextWrite.newBuilder().setGroup(group).setInstance(instance)
        .setToken(token).addAllOps(java.util.List.of(ops)).setMaxValueBytes(maxValue).setMaxGroupBytes(maxGroup))
        .build();
  }

  static ContextOp set(String scope, String key, String json) {
    return ContextOp.newBuilder().setKind(ContextOp.Kind.SET).setScope(scope).setKey(key)
        .setValue(ByteString.copyFromUtf8(json)).build();
  }

  static ContextOp del(String scope, String key) {
    return ContextOp.newBuilder().setKind(ContextOp.Kind.DELETE).setScope(scope).setKey(key).build();
  }

  static ContextOp deleteScope(String scope) {
    return ContextOp.newBuilder().setKind(ContextOp.Kind.DELETE_SCOPE).setScope(scope).build();
  }

  static ContextOp increment(String scope, String key, double delta) {
    return ContextOp.newBuilder().setKind(ContextOp.Kind.INCREMENT).setScope(scope).setKey(key).setDelta(delta).build();
  }

  /** COMPARE_AND_SET; {@code expected} null means "only if absent". */
  static ContextOp cas(String scope, String key, String expected, String json) {
    ContextOp.Builder b = ContextOp.newBuilder().setKind(ContextOp.Kind.COMPARE_AND_SET).setScope(scope).setKey(key)
        .setValue(ByteString.copyFromUtf8(json));
    if (expected != null) {
      b.setHasExpected(true).setExpected(ByteString.copyFromUtf8(expected));
    }
    return b.build();
  }

  static Command withRequestId(Command c, String requestId) {
    return c.toBuilder().setRequestId(requestId).build();
  }

  private static Command.Builder stamped() {
    return Command.newBuilder().setStampedUnixMillis(STAMP);
  }
}
