// Installed by the Tandem agent next to tandem-settings.js (launch mode) or by
// `tandem-agent --install-attach-files` (attach mode); overwritten by the agent, do not edit.
// Only the agent may start or stop this runtime's flows. Every POST <admin>/flows/state that does
// not carry the agent's token is refused with 403 before Node-RED acts on it: the editor's
// "Start/Stop flows" menu items, a script, anyone with flows.write.
"use strict";

const MESSAGE = "flows on this instance are started and stopped by Tandem; use tandemctl switchover";

// The path as the admin routes match it (case-insensitive, trailing slash optional).
function isFlowsState(req) {
  let p = String(req.path || "");
  try {
    p = decodeURIComponent(p);
  } catch (e) {
    // not decodable: compare the raw path
  }
  return p.toLowerCase().replace(/\/{2,}/g, "/").replace(/\/+$/, "") === "/flows/state";
}

/**
 * The value for settings.httpAdminMiddleware: the user's own middleware (a function, an array of
 * them, or nothing), then the guard, so that the guard sees the request exactly as the routes will.
 */
module.exports = function guardFlowsState(userMiddleware, isAgentToken, tokenHeader) {
  const header = String(tokenHeader).toLowerCase();
  function tandemFlowsStateGuard(req, res, next) {
    if (req.method !== "POST" || !isFlowsState(req)) {
      return next();
    }
    const presented = req.headers[header];
    if (presented !== undefined && isAgentToken(presented)) {
      return next();
    }
    res.status(403).json({ error: "tandem", message: MESSAGE });
  }
  let user = [];
  if (typeof userMiddleware === "function") {
    user = [userMiddleware];
  } else if (Array.isArray(userMiddleware)) {
    user = userMiddleware;
  } else if (userMiddleware !== undefined && userMiddleware !== null) {
    console.warn("Tandem: httpAdminMiddleware in settings.js is neither a function nor an array; "
        + "Node-RED would ignore it, and so does the agent.");
  }
  return user.concat([tandemFlowsStateGuard]);
};
module.exports.MESSAGE = MESSAGE;
