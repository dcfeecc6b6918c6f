// Installed by the Tandem agent next to tandem-settings.js (launch mode) or by
// `tandem-agent --install-attach-files` (attach mode); overwritten by the agent, do not edit.
// The agent-only admin routes. Every POST <admin>/flows/state (start/stop of this runtime's flows)
// and every POST <admin>/tandem/fence (the fencing token) that does not carry the agent's own token
// is refused with 403 before Node-RED acts on it: the editor's "Start/Stop flows" menu items, a
// script, anyone with flows.write, and anyone at all when settings.js has no adminAuth. Node-RED's
// permissions are not enough here: the check is the agent's token, compared in constant time.
"use strict";

const MESSAGE = "flows on this instance are started and stopped by Tandem; use tandemctl switchover";

// Whether this runtime's flows serve requests, as the agent last set it (only the agent starts and
// stops them, through this guard): undefined until the agent's first start or stop, false from the
// moment a start or stop request arrives (a start: they are stopped until it answers; a stop: they
// are about to stop), true once a start has answered. While it is false tandem-fence.js answers
// http-in requests itself (404 with a reason, after a short pause in the second after a change), so
// the old active of a planned switchover stops taking requests the moment its stop begins.
const FLOWS = Symbol.for("io.tandem.flows");
if (!globalThis[FLOWS]) {
  // inFlight: the http-in requests passed to running flows and not answered yet (tandem-fence.js)
  // changedAt: when the agent's last start or stop request arrived (Date.now())
  globalThis[FLOWS] = { running: undefined, changedAt: 0, inFlight: new Set() };
}
const flows = globalThis[FLOWS];

/**
 * Once the flows have stopped, a request they took and had not answered never will be: its message
 * died with the flow. Closing its connection makes that visible at once (a load balancer retries an
 * idempotent request elsewhere, a client sees a reset) instead of after the client's own timeout.
 */
function dropUnanswered() {
  for (const req of flows.inFlight) {
    if (req.socket && !req.socket.destroyed) {
      req.socket.destroy();
    }
  }
  flows.inFlight.clear();
}

/** Follows an agent's start or stop request through to Node-RED's answer (POST /flows/state). */
function trackFlowsState(res) {
  flows.running = false;
  flows.changedAt = Date.now();
  const json = res.json;
  res.json = function (body) {
    if (res.statusCode === 200 && body && typeof body.state === "string") {
      flows.running = body.state === "start";
      if (!flows.running) {
        dropUnanswered();
      }
    }
    return json.apply(this, arguments);
  };
}
const FENCE_MESSAGE = "the fencing token of this instance is set by the Tandem agent only";

// The path as the admin routes match it (case-insensitive, trailing slash optional).
function normalisedPath(req) {
  let p = String(req.path || "");
  try {
    p = decodeURIComponent(p);
  } catch (e) {
    // not decodable: compare the raw path
  }
  return p.toLowerCase().replace(/\/{2,}/g, "/").replace(/\/+$/, "");
}

// The refusal message for an agent-only request, or null for any other request.
function agentOnly(req) {
  if (req.method !== "POST") {
    return null;
  }
  const p = normalisedPath(req);
  return p === "/flows/state" ? MESSAGE : (p === "/tandem/fence" ? FENCE_MESSAGE : null);
}

/**
 * The value for settings.httpAdminMiddleware: the user's own middleware (a function, an array of
 * them, or nothing), then the guard, so that the guard sees the request exactly as the routes will.
 */
module.exports = function guardFlowsState(userMiddleware, isAgentToken, tokenHeader) {
  const header = String(tokenHeader).toLowerCase();
  function tandemAgentOnlyGuard(req, res, next) {
    const refusal = agentOnly(req);
    if (refusal === null) {
      return next();
    }
    const presented = req.headers[header];
    if (presented !== undefined && isAgentToken(presented)) {
      if (refusal === MESSAGE) {
        trackFlowsState(res);
      }
      return next();
    }
    res.status(403).json({ error: "tandem", message: refusal });
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
  return user.concat([tandemAgentOnlyGuard]);
};
module.exports.MESSAGE = MESSAGE;
module.exports.flows = flows;
module.exports.FENCE_MESSAGE = FENCE_MESSAGE;

/**
 * Marks the fence object (globalThis[Symbol.for("io.tandem.fence")]) with the agent's token check, so
 * that tandem-fence.js checks it on its own route too (not enumerable: flows never see it).
 */
module.exports.armFence = function armFence(fence, isAgentToken, tokenHeader) {
  const header = String(tokenHeader).toLowerCase();
  Object.defineProperty(fence, "isAgentRequest", { enumerable: false, value: function (req) {
    const presented = req.headers[header];
    return presented !== undefined && isAgentToken(presented);
  } });
  return fence;
};
