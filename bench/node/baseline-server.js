// A minimal socket.io 4 server doing the same fan-out as Rounds, for comparison only.
//
//   node baseline-server.js --port 9101 --redis redis://127.0.0.1:6390/0 [--name node1]
//
// Same shape as the app, so the swarm code is shared:
// - a client connects with auth {patients: [ids], patient, after}; the server joins it to
//   "patient:<id>" rooms (no sign-in: this is the floor the app is compared with, not a secure
//   server) and emits catch_up {patient, last_seq, events} with the events after ``after``;
// - POST /post?patient=N takes the child's next seq (Redis INCR), stores the event (RPUSH) and
//   emits family_event {patient, seq} to the room;
// - GET /events?patient=N&after=S answers {patient, last_seq, events: [...]} for seq > S;
// - POST /rounds?unit=U&patients=A,B,... (a change to unit U's rounds queue) takes the queue's
//   next version (Redis INCR) and emits rounds {patient, state, away, ..., version} to each of
//   the children's rooms, as the app does after a queue change commits (no queue is kept: the
//   states are made up from the order the children are given in).
// Rooms span processes through @socket.io/redis-adapter, as the app's rooms do through its
// Redis message queue; seq and events live in Redis, as the app's live in PostgreSQL.
// GET /health answers {"ok": true}; every response carries X-Rounds-Process.

"use strict";

const http = require("node:http");
const { Server } = require("socket.io");
const { createAdapter } = require("@socket.io/redis-adapter");
const { createClient } = require("redis");

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

const PORT = Number(option("port", "9101"));
const REDIS_URL = option("redis", "redis://127.0.0.1:6379/0");
const NAME = option("name", "node");
const MESSAGES = ["A new update from the care team."];

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
    "X-Rounds-Process": NAME,
  });
  res.end(text);
}

function wholeNumber(text) {
  return /^[0-9]{1,9}$/.test(text || "") ? Number(text) : null;
}

async function main() {
  const store = createClient({ url: REDIS_URL });
  const sub = store.duplicate();
  await Promise.all([store.connect(), sub.connect()]);

  let io;
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const patient = wholeNumber(url.searchParams.get("patient"));
    try {
      if (req.method === "GET" && url.pathname === "/health") {
        return send(res, 200, { ok: true });
      }
      if (req.method === "POST" && url.pathname === "/post" && patient !== null) {
        req.resume();
        const seq = await store.incr(`bench:seq:${patient}`);
        const event = { seq, kind: "posted", message: MESSAGES[0] };
        await store.rPush(`bench:events:${patient}`, JSON.stringify(event));
        io.to(`patient:${patient}`).emit("family_event", { patient, seq });
        return send(res, 200, { patient, seq });
      }
      if (req.method === "POST" && url.pathname === "/rounds") {
        req.resume();
        const unit = wholeNumber(url.searchParams.get("unit"));
        const children = (url.searchParams.get("patients") || "").split(",").map(wholeNumber);
        if (unit === null || !children.length || children.includes(null)) {
          return send(res, 400, { error: "unit, patients" });
        }
        const version = await store.incr(`bench:rounds:${unit}`);
        const startedAt = new Date().toISOString();
        children.forEach((child, at) => {
          const away = at - (version - 1);
          io.to(`patient:${child}`).emit("rounds", {
            patient: child,
            state: away > 0 ? "coming" : away === 0 ? "now" : "done",
            away: Math.max(0, away),
            turn_started_at: startedAt,
            minutes_per_child: 10,
            usual_start: "8:00",
            ends_by: null,
            version,
          });
        });
        return send(res, 200, { unit, version });
      }
      if (req.method === "GET" && url.pathname === "/events" && patient !== null) {
        const after = wholeNumber(url.searchParams.get("after") || "0");
        if (after === null) return send(res, 400, { error: "after" });
        // Event seq s is stored at list index s - 1.
        const rows = await store.lRange(`bench:events:${patient}`, after, -1);
        const events = rows.map((row) => JSON.parse(row));
        const last = events.length ? events[events.length - 1].seq : after;
        return send(res, 200, { patient, last_seq: last, events });
      }
      return send(res, 404, { error: "not found" });
    } catch (error) {
      process.stderr.write(`${req.method} ${url.pathname}: ${error.stack || error}\n`);
      return send(res, 500, { error: String(error) });
    }
  });

  io = new Server(server, { adapter: createAdapter(store, sub) });
  io.on("connection", (socket) => {
    const patients = (socket.handshake.auth && socket.handshake.auth.patients) || [];
    const ids = patients.filter((id) => Number.isInteger(id));
    if (!ids.length) {
      socket.disconnect(true);
      return;
    }
    for (const id of ids) socket.join(`patient:${id}`);
    // As the app: a page that says which child and the last event it has gets what it missed.
    const { patient, after } = socket.handshake.auth;
    if (ids.includes(patient) && Number.isInteger(after) && after >= 0) {
      store
        .lRange(`bench:events:${patient}`, after, -1)
        .then((rows) => {
          const events = rows.map((row) => JSON.parse(row));
          const last = events.length ? events[events.length - 1].seq : after;
          socket.emit("catch_up", { patient, last_seq: last, events });
        })
        .catch((error) => process.stderr.write(`catch_up: ${error.stack || error}\n`));
    }
  });

  const stop = () => process.exit(0);
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  server.listen(PORT, "127.0.0.1", () => {
    process.stdout.write(`baseline ${NAME} listening on 127.0.0.1:${PORT}\n`);
  });
}

main().catch((error) => {
  process.stderr.write(`baseline failed: ${error.stack || error}\n`);
  process.exit(1);
});
