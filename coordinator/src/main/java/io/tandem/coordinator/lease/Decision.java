package io.tandem.coordinator.lease;

import io.tandem.proto.state.Command;

/**
 * A change the leader should propose now.
 *
 * @param cause a short metric tag: crashed, hung, lease_expired, released, no_active, ...
 */
public record Decision(String group, Command command, String cause) {}
