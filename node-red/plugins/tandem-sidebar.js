// The runtime half of the Tandem editor sidebar: GET <httpAdminRoot>/tandem/role (permission
// flows.read) answers the local agent's GET /tandem/role for the editor, passing since and waitMs on
// (a long poll), so that the editor never needs the agent's address or token. The editor half is
// tandem-sidebar.html.
"use strict";
const { RoleWatcher, nodeSettings } = require("../lib/role-watcher.js");

const MAX_WAIT_MS = 30000;

/** The route's handler (exported for the tests): proxies to the agent with the agent's token. */
function roleRoute(settings) {
  const client = settings && settings.agentUrl ? new RoleWatcher(settings) : null;
  return function (req, res) {
    if (!client) {
      return res.status(503).json({ error: "Node-RED was not started with the Tandem agent's settings "
          + "(RED.settings.tandemNodes is missing)", coordinator: false });
    }
    const since = Number.parseInt(req.query.since, 10);
    const waitMs = Math.min(MAX_WAIT_MS, Math.max(0, Number.parseInt(req.query.waitMs, 10) || 0));
    const query = Number.isSafeInteger(since) && waitMs > 0 ? "?since=" + since + "&waitMs=" + waitMs : "";
    client.request("GET", "/tandem/role" + query, undefined, waitMs + 5000).then((r) => {
      res.status(r.status === 200 || r.status === 503 ? r.status : 502)
        .json(r.status === 200 || r.status === 503 ? r.body
          : { error: "the Tandem agent answered HTTP " + r.status, coordinator: false });
    }, (e) => {
      res.status(502).json({ error: "the Tandem agent does not answer (" + e.message + ")", coordinator: false });
    });
  };
}

module.exports = function (RED) {
  RED.plugins.registerPlugin("tandem-sidebar", { type: "tandem-sidebar" });
  RED.httpAdmin.get("/tandem/role", RED.auth.needsPermission("flows.read"), roleRoute(nodeSettings(RED)));
};
module.exports.roleRoute = roleRoute;
