package io.tandem.coordinator.config;

/**
 * Flows revisions (DESIGN.md, "The group's data").
 *
 * @param keepRevisions revisions kept per group (config {@code flows.keepRevisions}), oldest
 *     dropped first; every kept revision can be exported or rolled back to
 */
public record FlowsSettings(int keepRevisions) {
  public static final FlowsSettings DEFAULTS = new FlowsSettings(20);
  /** Upper bound of keepRevisions: each revision may hold up to 16 MB in every coordinator's memory. */
  public static final int MAX_KEEP_REVISIONS = 1000;
}
