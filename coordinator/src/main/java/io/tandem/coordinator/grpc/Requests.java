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
