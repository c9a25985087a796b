// A swarm of family sockets, and the poster, driven by bench/load.py over stdin/stdout.
//
// Each command is one JSON line on stdin; each answer one JSON line on stdout ("type" says
// which). Every family client behaves like static/js/family.js: websocket transport (compression
// offered, as socket.io-client and browsers do by default), reconnectionDelayMax 10 s; each
// (re)connect says its child and last seq, and the server answers with what it missed
// ("catch_up"); on each family_event newer than what it has, one fetch of everything after its
// last seq (never two at once; a second need waits for the first fetch to finish). A
// "rounds" event (where the team is on the unit's rounds queue) carries the child's whole
// state, and the page draws it as it comes (static/js/family-rounds.js): no fetch follows.
//
// Besides the clinicians' posts, a run may make changes to a unit's rounds queue, as a tablet
// does (POST /staff/units/<id>/rounds/done, one change at a time); each change is heard as
// "rounds" by every family of every child of that unit.
//
// All times come from one clock, process.hrtime (CLOCK_MONOTONIC on Linux, the clock of
// Python's time.monotonic_ns): the swarm posts itself, so post and receive times are comparable.

"use strict";

const readline = require("node:readline");
const { io } = require("socket.io-client");

const now = () => Number(process.hrtime.bigint()) / 1e6; // milliseconds
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
// Every request says it comes from one browser, as a phone's page does: Flask-Login keeps a
// hash of the User-Agent in the session, and bench/load_data.py mints the cookies for the one
// it gives us (another would mark each request's session changed and re-send the cookie).
const USER_AGENT = process.env.SWARM_USER_AGENT || "RoundsBenchSwarm";

let clients = [];
let posters = [];
let recording = null; // {receipts, notifyAt, screenAt, rounds...} while a run is measured
let watch = null; // {latest, resolve} while a reconnect storm is watched
const errors = [];

function noteError(text) {
  if (errors.length < 20) errors.push(text);
}

function eventsUrl(client, patient, after) {
  if (client.mode === "app") {
    // As the page: its version and language, so the server may answer with patches.
    const page = `v=${encodeURIComponent(client.version || "")}&lang=${client.lang || "en"}`;
    return `${client.url}/family/children/${patient}/events.json?after=${after}&${page}`;
  }
  return `${client.url}/events?patient=${patient}&after=${after}`;
}

function caughtUp(client) {
  if (!watch || !client.socket.connected) return false;
  return client.patients.every((p) => (client.lastSeq.get(p) || 0) >= (watch.latest[p] || 0));
}

function checkWatch(client) {
  if (watch && client.caughtAt === null && caughtUp(client)) {
    client.caughtAt = now();
    watch.left -= 1;
    if (watch.left === 0) watch.resolve();
  }
}

function retryLater(client, patient) {
  // As the page does: a failed fetch is tried again after 5 s, then 10, 20... up to 60 s.
  if (client.retryTimer || client.closed) return;
  client.retryTimer = setTimeout(() => {
    client.retryTimer = null;
    catchUp(client, patient);
  }, client.retryDelay);
  client.retryDelay = Math.min(client.retryDelay * 2, 60000);
}

// What the page does with an events answer, fetched or sent on (re)connect: take what is
// newer than what it has.
function applyEvents(client, patient, body) {
  const at = now();
  const after = client.lastSeq.get(patient) || 0;
  const last = Math.max(after, body.last_seq || 0);
  if (recording) {
    for (let seq = after + 1; seq <= last; seq += 1) {
      const key = `${client.index}:${patient}:${seq}`;
      if (!recording.screenAt.has(key)) recording.screenAt.set(key, at);
    }
  }
  client.lastSeq.set(patient, last);
}

async function catchUp(client, patient) {
  const state = client.fetching.get(patient);
  if (state === "busy" || state === "again") {
    client.fetching.set(patient, "again");
    return;
  }
  client.fetching.set(patient, "busy");
  try {
    const after = client.lastSeq.get(patient) || 0;
    const headers = { Accept: "application/json", "User-Agent": USER_AGENT };
    if (client.cookie) headers.Cookie = `rounds_session=${client.cookie}`;
    const url = eventsUrl(client, patient, after);
    // A browser retries a request at once when the server closed the reused keep-alive
    // connection under it (gunicorn closes idle ones after 2 s); so does the swarm, once.
    const response = await fetch(url, { headers }).catch(() => fetch(url, { headers }));
    if (!response.ok) {
      client.fetchErrors += 1;
      noteError(`events ${response.status} for patient ${patient}`);
      await response.arrayBuffer();
      retryLater(client, patient);
    } else {
      keepCookie(client, response);
      const text = await response.text();
      if (recording) recording.bytes.push(Buffer.byteLength(text));
      applyEvents(client, patient, JSON.parse(text));
      client.retryDelay = 5000;
    }
  } catch (error) {
    client.fetchErrors += 1;
    noteError(`events fetch: ${error.message}`);
    retryLater(client, patient);
  }
  const again = client.fetching.get(patient) === "again";
  client.fetching.set(patient, "idle");
  checkWatch(client);
  if (again) return catchUp(client, patient);
}

// As a browser keeps the cookie an answer sets (the session's "seen" moves on at most once a
// minute), for its next requests and its socket's next handshake.
function keepCookie(client, response) {
  const jar = { cookie: client.cookie };
  cookieFrom(response, jar);
  if (jar.cookie === client.cookie) return;
  client.cookie = jar.cookie;
  if (client.headers) client.headers.Cookie = `rounds_session=${jar.cookie}`;
}

function socketOptions(spec) {
  const headers = { Origin: spec.url, "User-Agent": USER_AGENT };
  if (spec.cookie) headers.Cookie = `rounds_session=${spec.cookie}`;
  return {
    transports: ["websocket"],
    forceNew: true,
    reconnectionDelayMax: 10000, // as static/js/family.js
    extraHeaders: headers,
    // As the page: each (re)connect says which child and the last event it has, read again
    // at every attempt; the server answers with "catch_up" (the baseline also needs the list).
    auth: (send) => {
      const patient = spec.patients[0];
      const position = { patient, after: (spec.lastSeq && spec.lastSeq.get(patient)) || 0 };
      if (spec.mode === "node") {
        send({ ...position, patients: spec.patients });
      } else {
        send({ ...position, v: spec.version || "", lang: spec.lang || "en" });
      }
    },
  };
}

async function checkOffer() {
  // What a swarm socket's upgrade request carries, seen by a bare HTTP server.
  const http = require("node:http");
  const server = http.createServer();
  const seen = new Promise((resolve) => {
    server.on("upgrade", (req, sock) => {
      resolve(req.headers);
      sock.destroy();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const socket = io(url, { ...socketOptions({ url, mode: "app", cookie: "x" }), reconnection: false });
  const headers = await Promise.race([seen, sleep(5000).then(() => ({}))]);
  socket.disconnect();
  server.close();
  say({
    type: "offer",
    extensions: headers["sec-websocket-extensions"] || null,
    origin: headers.origin || null,
    cookie: Boolean(headers.cookie),
  });
}

function openClient(spec, index) {
  const client = {
    index,
    mode: spec.mode,
    url: spec.url,
    cookie: spec.cookie || null,
    version: spec.version || "",
    lang: spec.lang || "en",
    patients: spec.patients,
    lastSeq: new Map(spec.patients.map((p) => [p, spec.seqs ? spec.seqs[p] || 0 : 0])),
    fetching: new Map(),
    fetchErrors: 0,
    retryDelay: 5000,
    retryTimer: null,
    closed: false,
    connects: 0,
    caughtUpOnce: false,
    caughtAt: null,
    extensions: null,
    socket: null,
    headers: null,
    rounds: new Map(), // child -> the last rounds state heard
  };
  const options = socketOptions({ ...spec, lastSeq: client.lastSeq });
  client.headers = options.extraHeaders; // the next reconnect sends what keepCookie keeps
  const socket = io(spec.url, options);
  client.socket = socket;
  socket.on("connect", () => {
    client.connects += 1;
    const ws = socket.io.engine && socket.io.engine.transport && socket.io.engine.transport.ws;
    client.extensions = ws ? ws.extensions || "" : "?";
    checkWatch(client);
  });
  socket.on("catch_up", (body) => {
    if (!body || !client.patients.includes(body.patient)) return;
    applyEvents(client, body.patient, body);
    client.caughtUpOnce = true;
    checkWatch(client);
  });
  socket.on("family_event", (note) => {
    const at = now();
    if (!note || typeof note.patient !== "number") return;
    if (recording) {
      const key = `${index}:${note.patient}:${note.seq}`;
      if (!client.patients.includes(note.patient)) recording.foreign += 1;
      recording.receipts.set(key, (recording.receipts.get(key) || 0) + 1);
      if (!recording.notifyAt.has(key)) recording.notifyAt.set(key, at);
    }
    if (note.seq > (client.lastSeq.get(note.patient) || 0)) catchUp(client, note.patient);
  });
  socket.on("rounds", (state) => {
    // The page takes its child's state as it comes and draws it (family-rounds.js): the
    // event's arrival is the screen. Keyed by the queue's version, one per change.
    const at = now();
    if (!state || typeof state.patient !== "number") return;
    if (recording) {
      const key = `${index}:${state.patient}:${state.version}`;
      if (!client.patients.includes(state.patient)) recording.roundsForeign += 1;
      recording.roundsReceipts.set(key, (recording.roundsReceipts.get(key) || 0) + 1);
      if (!recording.roundsAt.has(key)) recording.roundsAt.set(key, at);
    }
    client.rounds.set(state.patient, state);
  });
  socket.on("connect_error", (error) => {
    noteError(`connect_error: ${error.message}`);
    // As the page does: a refused connection is not retried by the client itself.
    if (!socket.active) {
      setTimeout(() => {
        if (!client.closed) socket.connect();
      }, 3000 + Math.random() * 7000); // as static/js/family.js does
    }
  });
  return client;
}

async function connect(command) {
  const started = now();
  const batch = command.batch || 100;
  const deadline = started + (command.timeout_s || 120) * 1000;
  for (let at = 0; at < command.clients.length; at += batch) {
    const fresh = command.clients
      .slice(at, at + batch)
      .map((spec, i) => openClient(spec, clients.length + i));
    clients.push(...fresh);
    while (now() < deadline && fresh.some((c) => !c.socket.connected && c.socket.active)) {
      await sleep(10);
    }
  }
  // Every client has also had its catch-up on connect.
  while (now() < deadline && clients.some((c) => c.socket.connected && !c.caughtUpOnce)) {
    await sleep(10);
  }
  const extensions = {};
  for (const c of clients) extensions[c.extensions] = (extensions[c.extensions] || 0) + 1;
  say({
    type: "connected",
    connected: clients.filter((c) => c.socket.connected).length,
    total: clients.length,
    seconds: (now() - started) / 1000,
    extensions,
    errors: errors.splice(0),
  });
}

function cookieFrom(response, jar) {
  for (const line of response.headers.getSetCookie()) {
    const match = /^rounds_session=([^;]*)/.exec(line);
    if (match) jar.cookie = match[1];
  }
}

async function csrfFrom(url, jar) {
  const headers = { Cookie: `rounds_session=${jar.cookie}`, "User-Agent": USER_AGENT };
  const response = await fetch(url, { headers });
  cookieFrom(response, jar);
  const page = await response.text();
  const match = /name="csrf_token"[^>]*value="([^"]+)"/.exec(page);
  if (!match) throw new Error(`no csrf_token at ${url} (HTTP ${response.status})`);
  return match[1];
}

async function signIn(spec) {
  // The session cookie is Secure in production; over plain 127.0.0.1 HTTP we carry it by hand.
  const jar = { cookie: "" };
  const token = await csrfFrom(`${spec.url}/signin`, jar);
  const form = new URLSearchParams({ email: spec.email, password: spec.password, csrf_token: token });
  const response = await fetch(`${spec.url}/signin`, {
    method: "POST",
    body: form,
    redirect: "manual",
    headers: { Cookie: `rounds_session=${jar.cookie}`, "User-Agent": USER_AGENT },
  });
  cookieFrom(response, jar);
  await response.arrayBuffer();
  if (response.status !== 302 || (response.headers.get("location") || "").includes("/signin")) {
    throw new Error(`sign-in of ${spec.email} answered ${response.status}`);
  }
  const csrf = await csrfFrom(`${spec.url}/staff/patients/${spec.patient}`, jar);
  // Later responses to posts add a flash message to the session; we keep this cookie instead,
  // so it does not grow with every post.
  return { cookie: jar.cookie, csrf };
}

async function signInAll(command) {
  posters = [];
  for (const spec of command.posters) posters.push(await signIn(spec));
  say({ type: "signed_in", posters: posters.length });
}

async function postOne(post, summary) {
  if (post.mode === "node") {
    const response = await fetch(`${post.url}/post?patient=${post.patient}`, { method: "POST" });
    const body = await response.json();
    return { ok: response.status === 200, seq: body.seq, status: response.status };
  }
  const poster = posters[post.poster];
  const form = new URLSearchParams({
    status: "serious",
    summary,
    action: "post",
    csrf_token: poster.csrf,
  });
  const request = () =>
    fetch(`${post.url}/staff/patients/${post.patient}/updates`, {
      method: "POST",
      body: form,
      redirect: "manual",
      headers: { Cookie: `rounds_session=${poster.cookie}`, "User-Agent": USER_AGENT },
    });
  // As a browser does when the server closed the reused keep-alive connection: once more.
  const response = await request().catch(() => request());
  await response.arrayBuffer();
  return { ok: response.status === 302, seq: null, status: response.status };
}

// One change to a unit's rounds queue, as the queue screen's buttons send it: "start" with
// the form's token alone, "done" with the queue version the screen shows and the child. The
// baseline's /rounds takes the unit's children and emits a state to each child's room.
async function changeOne(change) {
  if (change.mode === "node") {
    const query = `unit=${change.unit}&patients=${change.patients.join(",")}`;
    const response = await fetch(`${change.url}/rounds?${query}`, { method: "POST" });
    const body = await response.json();
    return { ok: response.status === 200, version: body.version, status: response.status };
  }
  const poster = posters[change.poster];
  const fields = { csrf_token: poster.csrf };
  if (change.kind !== "start") {
    Object.assign(fields, { version: String(change.version), patient: String(change.patient) });
  }
  const request = () =>
    fetch(`${change.url}/staff/units/${change.unit}/rounds/${change.kind}`, {
      method: "POST",
      body: new URLSearchParams(fields),
      redirect: "manual",
      headers: { Cookie: `rounds_session=${poster.cookie}`, "User-Agent": USER_AGENT },
    });
  const response = await request().catch(() => request());
  await response.arrayBuffer();
  // The screen is sent back to the queue (302) whether the change was made or refused (a
  // flash says which): the database says which changes were made.
  return { ok: response.status === 302, version: null, status: response.status };
}

async function changeNow(command) {
  const at = now();
  const result = await changeOne(command.change);
  if (!result.ok) noteError(`rounds ${command.change.kind} answered ${result.status}`);
  say({ type: "changed", ...result, ms: now() - at });
}

// The run's queue changes, one at a time as from one tablet: change i is sent (i + 0.5) *
// every_s after the run's start, or when the one before it was answered, if that is later.
async function changeRun(changes, everyS, started, sent) {
  for (let i = 0; i < changes.length; i += 1) {
    const wait = started + (i + 0.5) * everyS * 1000 - now();
    if (wait > 0) await sleep(wait);
    const change = changes[i];
    const record = { i, patient: change.patient, at: now(), ms: null, ok: false, status: 0, version: null };
    sent.push(record);
    try {
      const result = await changeOne(change);
      record.ms = now() - record.at;
      Object.assign(record, { ok: result.ok, status: result.status, version: result.version });
      if (!result.ok) noteError(`rounds ${change.kind} answered ${result.status}`);
    } catch (error) {
      noteError(`rounds ${change.kind}: ${error.message}`);
    }
  }
}

let lastRun = null; // the posts (and queue changes) of the last run, until they are scored

async function run(command) {
  // Post at the given rate, then drain; the answer lists the posts. Which seq each post got
  // is known for sure only afterwards (a failed post may or may not have saved one), so the
  // caller sends them back with "score".
  recording = {
    receipts: new Map(),
    notifyAt: new Map(),
    screenAt: new Map(),
    foreign: 0,
    bytes: [],
    roundsReceipts: new Map(),
    roundsAt: new Map(),
    roundsForeign: 0,
  };
  const sent = []; // {i, patient, at, ms, ok, status, seq}
  const pending = [];
  const interval = 1000 / command.rate;
  const started = now();
  const changes = []; // {i, patient, at, ms, ok, status, version}
  const changing = changeRun(command.changes || [], command.change_every_s || 1, started, changes);
  for (let i = 0; i < command.posts.length; i += 1) {
    const wait = started + i * interval - now();
    if (wait > 0) await sleep(wait);
    const post = command.posts[i];
    const record = { i, patient: post.patient, at: now(), ms: null, ok: false, status: 0, seq: null };
    sent.push(record);
    pending.push(
      postOne(post, `${command.tag} ${i}`)
        .then((result) => {
          record.ms = now() - record.at;
          Object.assign(record, { ok: result.ok, status: result.status, seq: result.seq });
          if (!result.ok) noteError(`post answered ${result.status}`);
        })
        .catch((error) => noteError(`post: ${error.message}`)),
    );
  }
  const postSeconds = (now() - started) / 1000;
  await Promise.all([...pending, changing]);
  // Recording goes on until "score": every post has been answered, so every saved one has
  // been committed and published, but its pushes may still be queued in a busy server.
  lastRun = { sent, postSeconds, changes };
  say({
    type: "sent",
    posts: sent.map((s) => ({ i: s.i, patient: s.patient, ok: s.ok, status: s.status, seq: s.seq })),
    changes: changes.map((c) => ({ i: c.i, ok: c.ok, status: c.status, version: c.version })),
  });
}

async function score(command) {
  // seqs: post index -> the seq it saved (null: nothing saved). Waits (up to drain_s) until
  // every family of each saved post's child has it on screen, then stops recording.
  // versions (with queue changes): change index -> the queue version it made (null: none);
  // unit_patients: the children of that unit, every one of whose families hears each change.
  const { sent, postSeconds, changes } = lastRun;
  const rec = recording;
  const followers = new Map();
  for (const c of clients) {
    for (const p of c.patients) {
      if (!followers.has(p)) followers.set(p, []);
      followers.get(p).push(c);
    }
  }
  const keys = [];
  for (const s of sent) {
    const seq = command.seqs[String(s.i)];
    if (seq === null || seq === undefined) continue;
    for (const c of followers.get(s.patient) || []) keys.push(`${c.index}:${s.patient}:${seq}`);
  }
  const roundsKeys = roundsExpected(changes, command, followers);
  const drainUntil = now() + command.drain_s * 1000;
  while (
    now() < drainUntil &&
    (keys.some((key) => !rec.screenAt.has(key)) ||
      roundsKeys.some(({ key }) => !rec.roundsAt.has(key)))
  ) {
    await sleep(20);
  }
  await sleep(300); // late duplicates
  recording = null;
  const notify = [];
  const screen = [];
  let expected = 0;
  let missed = 0;
  let missedScreen = 0;
  let duplicated = 0;
  for (const s of sent) {
    const seq = command.seqs[String(s.i)];
    if (seq === null || seq === undefined) continue;
    for (const c of followers.get(s.patient) || []) {
      const key = `${c.index}:${s.patient}:${seq}`;
      expected += 1;
      const heard = rec.notifyAt.get(key);
      const shown = rec.screenAt.get(key);
      if (heard === undefined) missed += 1;
      else notify.push(heard - s.at);
      if (shown === undefined) missedScreen += 1;
      else screen.push(shown - s.at);
      if ((rec.receipts.get(key) || 0) > 1) duplicated += 1;
    }
  }
  const round = (values) => values.map((v) => Math.round(v * 100) / 100);
  say({
    type: "result",
    posts: sent.length,
    posts_failed: sent.filter((s) => !s.ok).length,
    posts_saved: sent.filter((s) => command.seqs[String(s.i)] != null).length,
    post_seconds: postSeconds,
    expected,
    notify: round(notify),
    screen: round(screen),
    post_ms: round(sent.filter((s) => s.ms !== null).map((s) => s.ms)),
    answer_bytes: rec.bytes,
    missed,
    missed_screen: missedScreen,
    duplicated,
    foreign: rec.foreign,
    fetch_errors: clients.reduce((n, c) => n + c.fetchErrors, 0),
    rounds: changes.length ? roundsScore(changes, command, roundsKeys, rec) : null,
    errors: errors.splice(0),
  });
  for (const c of clients) c.fetchErrors = 0;
  lastRun = null;
}

// Every (family, child, version) a run's saved queue changes should have reached.
function roundsExpected(changes, command, followers) {
  const keys = [];
  for (const change of changes || []) {
    const version = (command.versions || {})[String(change.i)];
    if (version === null || version === undefined) continue;
    for (const p of command.unit_patients || []) {
      for (const c of followers.get(p) || []) keys.push({ change, key: `${c.index}:${p}:${version}` });
    }
  }
  return keys;
}

function roundsScore(changes, command, roundsKeys, rec) {
  const heard = [];
  const perChange = new Map(); // change index -> {first, last, missed}: its families' arrivals
  let missed = 0;
  let duplicated = 0;
  for (const { change, key } of roundsKeys) {
    const at = rec.roundsAt.get(key);
    if (!perChange.has(change.i)) perChange.set(change.i, { first: Infinity, last: 0, missed: 0 });
    const one = perChange.get(change.i);
    if (at === undefined) {
      missed += 1;
      one.missed += 1;
    } else {
      const ms = at - change.at;
      heard.push(Math.round(ms * 100) / 100);
      one.first = Math.min(one.first, ms);
      one.last = Math.max(one.last, ms);
    }
    if ((rec.roundsReceipts.get(key) || 0) > 1) duplicated += 1;
  }
  const reached = [...perChange.values()].filter((one) => !one.missed);
  const versions = command.versions || {};
  return {
    changes: changes.length,
    changes_failed: changes.filter((c) => !c.ok).length,
    changes_saved: changes.filter((c) => versions[String(c.i)] != null).length,
    expected: roundsKeys.length,
    notify: heard,
    // Per change: until its first family heard it, and until the last of them all did.
    first: reached.map((one) => Math.round(one.first * 100) / 100),
    all: reached.map((one) => Math.round(one.last * 100) / 100),
    change_ms: changes.filter((c) => c.ms !== null).map((c) => Math.round(c.ms * 100) / 100),
    missed,
    duplicated,
    foreign: rec.roundsForeign,
  };
}

async function waitDisconnected(command) {
  const deadline = now() + command.timeout_s * 1000;
  while (now() < deadline && clients.some((c) => c.socket.connected)) await sleep(10);
  say({ type: "disconnected", still_connected: clients.filter((c) => c.socket.connected).length });
}

async function stormWatch(command) {
  // latest: the newest seq of each child, made while the sockets were away. since_ns: the
  // restart command's time on the shared monotonic clock.
  const since = Number(BigInt(command.since_ns)) / 1e6;
  for (const c of clients) c.caughtAt = null;
  let resolve;
  const done = new Promise((r) => (resolve = r));
  watch = { latest: command.latest, left: clients.length, resolve };
  for (const c of clients) checkWatch(c);
  const deadline = sleep(command.timeout_s * 1000);
  await Promise.race([done, deadline]);
  const caught = clients.filter((c) => c.caughtAt !== null).map((c) => c.caughtAt - since);
  caught.sort((a, b) => a - b);
  say({
    type: "storm",
    clients: clients.length,
    caught_up: caught.length,
    connected: clients.filter((c) => c.socket.connected).length,
    seconds_to_all: caught.length === clients.length ? caught[caught.length - 1] / 1000 : null,
    seconds_p50: caught.length ? caught[Math.floor(caught.length / 2)] / 1000 : null,
    errors: errors.splice(0),
  });
  watch = null;
}

async function closeAll() {
  for (const c of clients) {
    c.closed = true;
    clearTimeout(c.retryTimer);
    c.socket.disconnect();
  }
  clients = [];
  await sleep(200);
  say({ type: "closed" });
}

const handlers = {
  offer: checkOffer,
  connect,
  signin: signInAll,
  change: changeNow,
  run,
  score,
  wait_disconnected: waitDisconnected,
  storm_watch: stormWatch,
  close: closeAll,
  exit: async () => {
    say({ type: "bye" });
    process.exit(0);
  },
};

// One command at a time, in order.
let queue = Promise.resolve();
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) return;
  const command = JSON.parse(line);
  queue = queue
    .then(() => handlers[command.cmd](command))
    .catch((error) => say({ type: "error", cmd: command.cmd, error: String(error.stack || error) }));
});
process.stdin.on("end", () => queue.then(() => process.exit(0)));
