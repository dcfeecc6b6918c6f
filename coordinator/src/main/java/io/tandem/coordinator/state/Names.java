package io.tandem.coordinator.state;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Validation of group names and instance ids: 1 to 64 characters from {@code A-Z a-z 0-9 . _ -}.
 * Used by {@link Applier} and by the gRPC layer, which refuses bad input before it reaches the
 * log.
 */
public final class Names {
  /** The allowed form of group names and instance ids. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** The allowed form of lock keys (all-active groups). */
  public static final Pattern LOCK_KEY = Pattern.compile("[A-Za-z0-9._:/-]{1,128}");

  private Names() {}

  /** Empty if {@code key} is a valid lock key, else a message that says what is wrong. */
  public static Optional<String> lockKeyProblem(String key) {
    if (key == null || key.isEmpty()) {
      return Optional.of("lock key is missing");
    }
    if (key.length() > 128) {
      return Optional.of("lock key \"" + shorten(key) + "\" is too long (" + key.length()
          + " characters, at most 128)");
    }
    if (!LOCK_KEY.matcher(key).matches()) {
      return Optional.of("lock key \"" + key
          + "\" is invalid: use only letters A-Z a-z, digits 0-9, '.', '_', ':', '/' and '-'");
    }
    return Optional.empty();
  }

  /** Empty if {@code name} is a valid group name, else a message that says what is wrong. */
  public static Optional<String> groupProblem(String name) {
    return problem("group name", name);
  }

  /** Empty if {@code id} is a valid instance id, else a message that says what is wrong. */
  public static Optional<String> instanceProblem(String id) {
    return problem("instance id", id);
  }

  /**
   * Empty if {@code value} is a valid id, else a readable message naming {@code what} (for
   * example "group name").
   */
  public static Optional<String> problem(String what, String value) {
    if (value == null || value.isEmpty()) {
      return Optional.of(what + " is missing");
    }
    if (value.length() > 64) {
      return Optional.of(what + " \"" + shorten(value) + "\" is too long (" + value.length()
          + " characters, at most 64)");
    }
    if (!ID.matcher(value).matches()) {
      return Optional.of(what + " \"" + value
          + "\" is invalid: use only letters A-Z a-z, digits 0-9, '.', '_' and '-'");
    }
    return Optional.empty();
  }

  private static String shorten(String s) {
    return s.substring(0, 20) + "...";
  }
}
