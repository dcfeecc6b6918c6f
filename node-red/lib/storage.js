// Tandem storage plugin for Node-RED (settings.storageModule).
//
// Flows and credentials belong to the Tandem group: a deploy (saveCredentials, then saveFlows) goes
// to the local agent as one request, which commits it through the coordinators' Raft log; a refusal
// (this instance is the standby, another deploy won, no coordinator majority) rejects saveFlows with
// a message the editor shows. getFlows asks the agent for the revision it holds and falls back to the
// local copy the agent keeps in <userDir>/.tandem/current.json, so Node-RED boots (flows stopped)
// while no agent answers.
//
// Node-RED's own runtime settings (.config.runtime.json: runtimeFlowState, instanceId,
// _credentialSecret; .config.nodes.json: the node registry; ...) stay on this host, in the same
// files Node-RED's localfilesystem uses. Only the editor's user settings (the "users" section),
// library entries and sessions replicate, through the agent.
"use strict";
const fs = require("fs");
const path = require("path");
const http = require("http");
const crypto = require("crypto");

const CREDENTIAL_KEY_LABEL = "tandem-credential-key";
const SETTINGS_SECTIONS = ["nodes", "users", "projects", "modules"];
const READ_TIMEOUT_MS = 5000;
const DEPLOY_TIMEOUT_MS = 30000;

/** HMAC-SHA256(secret, "tandem-credential-key") in hex: proves the secret without revealing it. */
function credentialKeyDigest(secret) {
  if (secret === false) {
    return "unencrypted";
  }
  if (typeof secret !== "string" || secret.length === 0) {
    return "";
  }
  return crypto.createHmac("sha256", secret).update(CREDENTIAL_KEY_LABEL).digest("hex");
}

/** An error whose message Node-RED's admin API hands to the editor ({code, message}, HTTP status). */
function refusal(message, status, code) {
  const err = new Error(message);
  err.code = code || "tandem_refused";
  err.status = status || 409;
  return err;
}

function readJson(file, fallback) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    if (e.code === "ENOENT") {
      return fallback;
    }
    throw new Error("Tandem storage: " + file + " cannot be read: " + e.message);
  }
}

/** Write a temp file next to the target, fsync it, rename it over the target. */
function writeJsonAtomically(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = file + ".tandem-tmp";
  const fd = fs.openSync(tmp, "w", 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(value, null, 4));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

function createStorage() {
  let settings;
  let cfg;
  let userDir;
  let dataDir;
  let token = null;
  let credentials = {};            // the credentials of the flows last loaded or deployed
  let pendingCredentials = null;   // set by saveCredentials, sent with the next saveFlows
  // The group's revision the runtime loaded (0: this host's own flows file), sent with a deploy as
  // its base. The plugin knows it also when it read the local copy itself because the agent did
  // not answer; the agent knows better after a first import (its own flows became a revision
  // without a reload) and deploys on top of the later of the two.
  let loadedRevision = 0;
  let secretDigest = "";
  let reportedDigest = null;
  let lastUsers = null;

  function log(level, text) {
    const line = "[tandem-storage] " + text;
    if (level === "warn") {
      console.warn(line);
    } else {
      console.log(line);
    }
  }

  function readToken() {
    if (token === null) {
      token = fs.readFileSync(cfg.tokenFile, "utf8").trim();
    }
    return token;
  }

  /** One call to the agent; resolves {status, body}, rejects only when the agent does not answer. */
  function call(method, urlPath, body, timeoutMs) {
    return new Promise((resolve, reject) => {
      let headers;
      try {
        headers = { Accept: "application/json" };
        headers[cfg.tokenHeader] = readToken();
      } catch (e) {
        reject(new Error("cannot read the agent's token file " + cfg.tokenFile + ": " + e.message));
        return;
      }
      const payload = body === undefined ? null : Buffer.from(JSON.stringify(body), "utf8");
      if (payload) {
        headers["Content-Type"] = "application/json";
        headers["Content-Length"] = payload.length;
      }
      const req = http.request(new URL(urlPath, cfg.agentUrl), { method, headers, timeout: timeoutMs }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed = null;
          try {
            parsed = text.length ? JSON.parse(text) : null;
          } catch (e) {
            parsed = { message: text };
          }
          if (res.statusCode === 401 || res.statusCode === 403) {
            token = null;  // re-read: the agent may have written a new token
          }
          resolve({ status: res.statusCode, body: parsed });
        });
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error("no answer within " + timeoutMs + " ms")));
      req.on("error", (e) => reject(new Error("the Tandem agent at " + cfg.agentUrl + " does not answer ("
          + e.message + ")")));
      if (payload) {
        req.write(payload);
      }
      req.end();
    });
  }

  function currentFile() {
    return path.join(dataDir, "current.json");
  }

  function editorFile() {
    return path.join(dataDir, "editor.json");
  }

  /** The user's own flows file, found as Node-RED's localfilesystem finds it. */
  function userFlowsFile() {
    const flowFile = settings.flowFile || "flows.json";
    return path.isAbsolute(flowFile) ? flowFile : path.join(userDir, flowFile);
  }

  function userCredentialsFile() {
    const f = userFlowsFile();
    const ext = path.extname(f);
    return path.join(path.dirname(f), path.basename(f, ext) + "_cred" + (ext || ".json"));
  }

  /** Revision 0 (the group has none yet): the runtime runs this host's own flows file. */
  function ownFlows() {
    return { revision: 0, flows: readJson(userFlowsFile(), []), credentials: readJson(userCredentialsFile(), {}) };
  }

  async function loadCurrent() {
    let current;
    try {
      const res = await call("GET", "/tandem/storage/flows", undefined, READ_TIMEOUT_MS);
      if (res.status !== 200 || !res.body) {
        throw new Error("HTTP " + res.status + ": " + (res.body && res.body.message));
      }
      current = res.body;
    } catch (e) {
      current = readJson(currentFile(), null);
      log("warn", "cannot get the flows from the agent (" + e.message + "); loading the local copy "
          + (current ? "of revision " + current.revision : "(none yet: this host's own flows file)"));
    }
    if (!current || !current.revision) {
      return ownFlows();
    }
    return current;
  }

  async function reportRuntime() {
    if (reportedDigest === secretDigest) {
      return;
    }
    try {
      const res = await call("POST", "/tandem/storage/runtime", {
        credentialKeyDigest: secretDigest,
        flowFile: userFlowsFile(),
        credentialsFile: userCredentialsFile(),
      }, READ_TIMEOUT_MS);
      if (res.status >= 200 && res.status < 300) {
        reportedDigest = secretDigest;
      }
    } catch (e) {
      log("warn", "cannot tell the agent this runtime's credential key digest: " + e.message);
    }
  }

  function noteRuntimeSettings(runtimeSettings) {
    if (settings.credentialSecret !== undefined) {
      secretDigest = credentialKeyDigest(settings.credentialSecret);
    } else if (runtimeSettings && runtimeSettings._credentialSecret) {
      secretDigest = credentialKeyDigest(runtimeSettings._credentialSecret);
    }
  }

  function readLocalSettings() {
    const result = readJson(path.join(userDir, ".config.runtime.json"), {});
    for (const key of SETTINGS_SECTIONS) {
      const section = readJson(path.join(userDir, ".config." + key + ".json"), {});
      if (Object.keys(section).length > 0) {
        result[key] = section;
      }
    }
    return result;
  }

  function writeLocalSettings(data) {
    const rest = Object.assign({}, data);
    for (const key of SETTINGS_SECTIONS) {
      const section = rest[key] || {};
      delete rest[key];
      writeJsonAtomically(path.join(userDir, ".config." + key + ".json"), section);
    }
    writeJsonAtomically(path.join(userDir, ".config.runtime.json"), rest);
  }

  /** The group's editor data from the agent, cached in editor.json; the cache when the agent is away. */
  async function editorData() {
    try {
      const res = await call("GET", "/tandem/storage/editor", undefined, READ_TIMEOUT_MS);
      if (res.status === 200 && res.body) {
        writeJsonAtomically(editorFile(), res.body);
        return res.body;
      }
    } catch (e) {
      // the agent is away: the cache below
    }
    return readJson(editorFile(), { settings: null, library: {}, sessions: null });
  }

  async function updateEditorCache(mutate) {
    const data = readJson(editorFile(), { settings: null, library: {}, sessions: null });
    mutate(data);
    writeJsonAtomically(editorFile(), data);
  }

  /** Sends one editor-data change; a refusal (a standby's editor) keeps it local only. */
  async function putEditorData(what, urlPath, value) {
    try {
      const res = await call("PUT", urlPath, value, READ_TIMEOUT_MS);
      if (Math.floor(res.status / 100) !== 2) {
        log("warn", what + " kept on this host only: " + (res.body && res.body.message));
      }
    } catch (e) {
      log("warn", what + " kept on this host only: " + e.message);
    }
  }

  function libraryKey(type, p) {
    return type + "\u0000" + p;
  }

  const storage = {
    init: async function (_settings) {
      settings = _settings;
      cfg = Object.assign({ tokenHeader: "x-tandem-token" }, settings.tandemStorage);
      if (!cfg.agentUrl || !cfg.tokenFile) {
        throw new Error("Tandem storage: settings.tandemStorage needs agentUrl (the agent's local HTTP address, "
            + "e.g. http://127.0.0.1:9464) and tokenFile (the agent's token file, nodeRed.tokenFile)");
      }
      userDir = settings.userDir;
      dataDir = cfg.dataDir || path.join(userDir, ".tandem");
      fs.mkdirSync(dataDir, { recursive: true });
      // As localfilesystem does: the palette manager installs node modules into the userDir's package.json.
      const packageFile = path.join(userDir, "package.json");
      if (!fs.existsSync(packageFile)) {
        fs.writeFileSync(packageFile, JSON.stringify({ name: "node-red-project", description: "A Node-RED Project",
          version: "0.0.1", private: true }, null, 4));
      }
      noteRuntimeSettings(readJson(path.join(userDir, ".config.runtime.json"), {}));
      await reportRuntime();
    },

    getFlows: async function () {
      const current = await loadCurrent();
      loadedRevision = Number(current.revision) || 0;
      credentials = current.credentials || {};
      pendingCredentials = null;
      return current.flows || [];
    },

    getCredentials: async function () {
      return credentials;
    },

    // Node-RED calls this right before saveFlows when the credentials changed: both go in one deploy.
    saveCredentials: async function (creds) {
      pendingCredentials = creds;
    },

    saveFlows: async function (flows, user) {
      const creds = pendingCredentials !== null ? pendingCredentials : credentials;
      pendingCredentials = null;
      await reportRuntime();
      let res;
      try {
        res = await call("POST", "/tandem/storage/deploy", {
          flows: flows,
          credentials: creds,
          user: user && user.username ? user.username : "",
          baseRevision: loadedRevision,
        }, DEPLOY_TIMEOUT_MS);
      } catch (e) {
        throw refusal("Deploy not saved: " + e.message + ". Nothing changed.", 503, "tandem_unavailable");
      }
      if (res.status !== 200) {
        const message = res.body && res.body.message ? res.body.message : "HTTP " + res.status;
        throw refusal("Deploy refused by Tandem: " + message, res.status >= 400 ? res.status : 500,
            res.body && res.body.code);
      }
      credentials = creds;
      if (res.body && Number(res.body.revision) > 0) {
        loadedRevision = Number(res.body.revision);
      }
    },

    getSettings: async function () {
      const local = readLocalSettings();
      noteRuntimeSettings(local);
      await reportRuntime();
      const group = await editorData();
      if (group.settings && typeof group.settings === "object" && Object.keys(group.settings).length > 0) {
        local.users = group.settings;
      }
      lastUsers = JSON.stringify(local.users || {});
      return local;
    },

    saveSettings: async function (newSettings) {
      const data = JSON.parse(JSON.stringify(newSettings));
      writeLocalSettings(data);
      noteRuntimeSettings(data);
      await reportRuntime();
      const users = JSON.stringify(data.users || {});
      if (users !== lastUsers) {
        lastUsers = users;
        await updateEditorCache((d) => { d.settings = data.users || {}; });
        await putEditorData("the editor settings", "/tandem/storage/settings", data.users || {});
      }
    },

    getSessions: async function () {
      const group = await editorData();
      return group.sessions || {};
    },

    saveSessions: async function (sessions) {
      await updateEditorCache((d) => { d.sessions = sessions; });
      await putEditorData("the sessions", "/tandem/storage/sessions", sessions);
    },

    getLibraryEntry: async function (type, p) {
      const library = (await editorData()).library || {};
      const exact = library[libraryKey(type, p)]
          || (type === "flows" && !/\.json$/.test(p) ? library[libraryKey(type, p + ".json")] : null);
      if (exact) {
        return exact.body;
      }
      const dir = p === "" || p.endsWith("/") ? p : p + "/";
      const prefix = type + "\u0000" + dir;
      const dirs = new Set();
      const files = [];
      for (const key of Object.keys(library).sort()) {
        if (!key.startsWith(prefix)) {
          continue;
        }
        const rest = key.substring(prefix.length);
        const slash = rest.indexOf("/");
        if (slash >= 0) {
          dirs.add(rest.substring(0, slash));
        } else {
          files.push(Object.assign({}, library[key].meta, { fn: rest }));
        }
      }
      if (dirs.size === 0 && files.length === 0 && p !== "" && !p.endsWith("/")) {
        throw new Error("Library Entry not found " + p);
      }
      return Array.from(dirs).concat(files);
    },

    saveLibraryEntry: async function (type, p, meta, body) {
      if (type === "flows" && !p.endsWith(".json")) {
        p += ".json";
      }
      const key = libraryKey(type, p);
      const entry = { meta: meta || {}, body: body };
      await updateEditorCache((d) => { d.library = d.library || {}; d.library[key] = entry; });
      await putEditorData("the library entry " + type + "/" + p,
          "/tandem/storage/library?key=" + encodeURIComponent(key), entry);
    },
  };
  return storage;
}

module.exports = createStorage();
module.exports.create = createStorage;
module.exports.credentialKeyDigest = credentialKeyDigest;
