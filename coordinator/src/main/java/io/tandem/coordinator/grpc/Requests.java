package io.tandem.coordinator.grpc;

import io.tandem.coordinator.state.Names;
import io.tandem.proto.state.InstanceSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks of request fields before anything reaches the log; failures are INVALID_ARGUMENT. */
final class Requests {
  private static final int MAX_REQUEST_ID = 128;
  private static final int MAX_HOST = 255;

  private Requests() {}

  static void name(String field, String value) {
    Names.problem(field, value).ifPresent(p -> {
      throw Errors.invalid(p);
    });
  }

  static void requestId(String value) {
    if (value.length() > MAX_REQUEST_ID) {
      throw Errors.invalid("request_id is longer than " + MAX_REQUEST_ID + " characters");
    }
  }

  /** Lock keys of a heartbeat or request: the key syntax, at most a group's number of keys, no repeats. */
  static void lockKeys(String field, List<String> keys) {
    if (keys.size() > io.tandem.coordinator.state.Groups.MAX_LOCK_KEYS) {
      throw Errors.invalid(field + " lists " + keys.size() + " keys, more than a group may have ("
          + io.tandem.coordinator.state.Groups.MAX_LOCK_KEYS + ")");
    }
    Set<String> seen = new HashSet<>();
    for (String k : keys) {
      lockKey(field, k);
      if (!seen.add(k)) {
        throw Errors.invalid(field + " lists \"" + k + "\" twice");
      }
    }
  }

  static void lockKey(String field, String key) {
    Names.lockKeyProblem(key).ifPresent(p -> {
      throw Errors.invalid(field + ": " + p);
    });
  }

  static void editorUrl(String value) {
    if (value.length() > 2048) {
      throw Errors.invalid("editor_url is longer than 2048 characters");
    }
    if (!value.isEmpty() && !value.startsWith("http://") && !value.startsWith("https://")) {
      throw Errors.invalid("editor_url must start with http:// or https:// (got \"" + value
          .substring(0, Math.min(40, value.length())) + "\")");
    }
  }

  static void token(String field, long value) {
    if (value < 0) {
      throw Errors.invalid(field + " must not be negative (got " + value + ")");
    }
  }

  static void instance(String field, InstanceSpec spec) {
    name(field + ".id", spec.getId());
    if (spec.getHost().length() > MAX_HOST) {
      throw Errors.invalid(field + ".host is longer than " + MAX_HOST + " characters");
    }
  }

  static void instances(List<InstanceSpec> specs) {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < specs.size(); i++) {
      instance("instances[" + i + "]", specs.get(i));
      if (!ids.add(specs.get(i).getId())) {
        throw Errors.invalid("instances[" + i + "].id \"" + specs.get(i).getId() + "\" appears twice");
      }
    }
  }
}
