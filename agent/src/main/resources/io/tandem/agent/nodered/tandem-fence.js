// Installed by the Tandem agent; overwritten before every launch.
// POST <admin>/tandem/fence {"token": N} sets the fencing token that flows read with
// global.get("tandem").token, refusing a lower token than the current one (HTTP 409).
// GET <admin>/tandem/fence returns the current token.
// Only the agent sets the token: a POST without the agent's own token (header x-tandem-token,
// checked in constant time by the settings' isAgentToken) is refused with 403, whatever Node-RED's
// adminAuth allows (tandem-guard.js refuses it before the routes too).
"use strict";
module.exports = function (RED) {
  const fence = globalThis[Symbol.for("io.tandem.fence")];

  const FENCE_MESSAGE = "the fencing token of this instance is set by the Tandem agent only";

  function notLoaded(res) {
    res.status(503).json({ error: "not_configured",
      message: "Node-RED was not started with the Tandem agent's settings file (tandem-settings.js)" });
  }

  // A standby's (or a stopping active's) http-in requests: Node-RED's 404 (their routes are not
  // there), with a JSON reason, registered when the node modules load, before any flow adds a
  // route (see tandem-guard.js). In the second after the agent's stop the answer comes after a
  // short pause: a proxy retries it at once (haproxy: 30 times in about 80 ms, mostly on the old
  // active), and the pause makes those retries outlast the proxy's next check of /active, which
  // sends them to the new active. A long-stopped standby answers at once (nginx sends it half of
  // the requests and passes them on).
  const flows = globalThis[Symbol.for("io.tandem.flows")];
  const HANDOVER_PAUSE_MS = 20;
  const HANDOVER_WINDOW_MS = 1000;
  if (flows && RED.httpNode && typeof RED.httpNode.use === "function") {
    RED.httpNode.use(function tandemStandby(req, res, next) {
      if (flows.running !== false) {
        if (flows.inFlight) {
          flows.inFlight.add(req);
          const done = () => flows.inFlight.delete(req);
          res.once("finish", done);
          res.once("close", done);
        }
        return next();
      }
      const answer = function () {
        res.status(404).json({ error: "tandem_standby",
          message: "this Node-RED instance's flows are stopped by Tandem (a standby, or an active handing over): "
            + "send requests to the group's active (its agent answers GET /active with 200)" });
      };
      if (Date.now() - (flows.changedAt || 0) < HANDOVER_WINDOW_MS) {
        setTimeout(answer, HANDOVER_PAUSE_MS);
      } else {
        answer();
      }
    });
  }

  RED.httpAdmin.get("/tandem/fence", RED.auth.needsPermission("flows.read"), function (req, res) {
    if (!fence) { return notLoaded(res); }
    res.json({ token: fence.token });
  });

  RED.httpAdmin.post("/tandem/fence", RED.auth.needsPermission("flows.write"), function (req, res) {
    if (!fence || typeof fence.isAgentRequest !== "function") { return notLoaded(res); }
    if (!fence.isAgentRequest(req)) {
      RED.log.warn("[tandem] refused POST /tandem/fence without the agent's token");
      return res.status(403).json({ error: "tandem", message: FENCE_MESSAGE });
    }
    const token = req.body ? req.body.token : undefined;
    if (!Number.isSafeInteger(token) || token < 0) {
      return res.status(400).json({ error: "invalid_request",
        message: "expected a JSON body {\"token\": N} with N a non-negative integer, got " + JSON.stringify(req.body) });
    }
    if (token < fence.token) {
      RED.log.warn("[tandem] refused stale fencing token " + token + " (current " + fence.token + ")");
      return res.status(409).json({ error: "stale_token", token: fence.token,
        message: "fencing token " + token + " is lower than the current token " + fence.token });
    }
    if (token > fence.token) {
      RED.log.info("[tandem] fencing token " + fence.token + " -> " + token);
      fence.token = token;
    }
    res.json({ token: fence.token });
  });
};
