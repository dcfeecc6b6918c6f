package io.tandem.agent.locks;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The lock keys the flows of this instance want (each by one or more owners, e.g. tandem leader
 * nodes), and per key the highest token this agent gave it up under. Thread-safe.
 */
public final class LockTable {
  /** The contract's key syntax. */
  public static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:/-]{1,128}");
  /** At most this many keys per group (the coordinators refuse more). */
  public static final int MAX_KEYS = 1024;
  static final int MAX_OWNER_CHARS = 256;
  private final Map<String, Set<String>> owners = new HashMap<>();
  private final Map<String, Long> released = new HashMap<>();
  private Set<String> wanted = Set.of();

  /** Null if {@code key} is a valid key; else why not (a sentence). */
  public static String keyProblem(String key) {
    if (key == null || key.isEmpty()) {
      return "a lock key is required";
    }
    if (!KEY.matcher(key).matches()) {
      return "invalid lock key \"" + (key.length() > 140 ? key.substring(0, 140) + "..." : key)
          + "\": use 1 to 128 of A-Z a-z 0-9 . _ : / -";
    }
    return null;
  }

  /** Null if {@code owner} is a valid owner id; else why not. */
  static String ownerProblem(String owner) {
    if (owner == null || owner.isEmpty()) {
      return "an owner is required (the id of the node that wants the lock)";
    }
    if (owner.length() > MAX_OWNER_CHARS) {
      return "owner too long (at most " + MAX_OWNER_CHARS + " characters)";
    }
    return null;
  }

  /**
   * Marks {@code key} wanted by {@code owner} (idempotent). Returns true if the key was not wanted
   * before; throws IllegalStateException when the table already has {@link #MAX_KEYS} keys.
   */
  public synchronized boolean want(String key, String owner) {
    Set<String> o = owners.get(key);
    if (o == null) {
      if (owners.size() >= MAX_KEYS) {
        throw new IllegalStateException("this instance already wants " + MAX_KEYS
            + " lock keys, the most a group can have");
      }
      o = new HashSet<>();
      owners.put(key, o);
    }
    o.add(owner);
    boolean fresh = o.size() == 1 && !wanted.contains(key);
    wanted = Set.copyOf(new TreeSet<>(owners.keySet()));
    return fresh;
  }

  /** {@code owner} no longer wants {@code key}; returns true if no owner wants it any more now. */
  public synchronized boolean drop(String key, String owner) {
    Set<String> o = owners.get(key);
    if (o == null) {
      return false;
    }
    o.remove(owner);
    if (!o.isEmpty()) {
      return false;
    }
    owners.remove(key);
    wanted = Set.copyOf(new TreeSet<>(owners.keySet()));
    return true;
  }

  /** Forgets every owner (their runtime is gone); returns the keys that were wanted. */
  public synchronized Set<String> clear() {
    Set<String> was = wanted;
    owners.clear();
    wanted = Set.of();
    return was;
  }

  /** The keys wanted now (immutable). */
  public synchronized Set<String> wanted() {
    return wanted;
  }

  /** The keys wanted now, sorted (for heartbeats). */
  public synchronized java.util.List<String> wantedSorted() {
    return java.util.List.copyOf(new TreeSet<>(owners.keySet()));
  }

  /** This agent gives {@code key} up under {@code token}: never believed held under it again. */
  public synchronized void released(String key, long token) {
    released.merge(key, token, Math::max);
  }

  /** Per key, the highest token given up (a copy). */
  public synchronized Map<String, Long> releasedTokens() {
    return Map.copyOf(released);
  }
}
