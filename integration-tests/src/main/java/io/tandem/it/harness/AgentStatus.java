package io.tandem.it.harness;

import com.fasterxml.jackson.databind.JsonNode;

/** The fields of an agent's GET /status the harness uses. */
public record AgentStatus(String role, long token, String committedActive, long committedToken,
    String runtime, long pid, String lastReason) {

  static AgentStatus from(JsonNode j) {
    return new AgentStatus(j.path("role").asText(""), j.path("token").asLong(0),
        j.path("committedActive").asText(""), j.path("committedToken").asLong(0),
        j.path("runtime").asText(""), j.path("pid").asLong(-1), j.path("lastReason").asText(""));
  }

  public boolean isActive() {
    return "active".equals(role);
  }

  /** Loaded with flows stopped, ready to take over. */
  public boolean isReadyStandby() {
    return "standby".equals(role) && "STANDBY".equals(runtime) && pid > 0;
  }
}
