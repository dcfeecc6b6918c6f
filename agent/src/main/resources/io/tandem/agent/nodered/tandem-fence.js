// Installed by the Tandem agent; overwritten before every launch.
// POST <admin>/tandem/fence {"token": N} sets the fencing token that flows read with
// global.get("tandem").token, refusing a lower token than the current one (HTTP 409).
// GET <admin>/tandem/fence returns the current token.
"use strict";
module.exports = function (RED) {
  const fence = globalThis[Symbol.for("io.tandem.fence")];

  function notLoaded(res) {
    res.status(503).json({ error: "not_configured",
      message: "Node-RED was not started with the Tandem agent's settings file (tandem-settings.js)" });
  }

  RED.httpAdmin.get("/tandem/fence", RED.auth.needsPermission("flows.read"), function (req, res) {
    if (!fence) { return notLoaded(res); }
    res.json({ token: fence.token });
  });

  RED.httpAdmin.post("/tandem/fence", RED.auth.needsPermission("flows.write"), function (req, res) {
    if (!fence) { return notLoaded(res); }
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
