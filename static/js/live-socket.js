/*
 * What the live pages share (family.js for families, staff-live.js for staff): the socket,
 * and how long to wait before asking the server again after a fetch failed.
 *
 * socket.io reconnects a dropped connection by itself, backing off to 10 s; a connection the
 * server refused (signed out elsewhere, the database briefly away) it does not retry, so this
 * tries again after 3 to 10 s, spread so that a unit's pages do not all return in the same
 * second after a restart. Loaded after the vendored client; without it there is no RoundsLive
 * and the pages stay as the server rendered them.
 */
(function () {
  "use strict";

  if (typeof io === "undefined") { return; }

  var RECONNECT_DELAY_MAX_MS = 10000;
  var REFUSED_RETRY_MIN_MS = 3000;
  var REFUSED_RETRY_SPREAD_MS = 7000;
  var FETCH_RETRY_FIRST_MS = 5000;
  var FETCH_RETRY_LONGEST_MS = 60000;

  /* A socket to this server with ``options`` (socket.io's), tried again after a refused
   * connect for as long as ``keepTrying()`` says (always, without it). */
  function connect(options, keepTrying) {
    var settings = { reconnectionDelayMax: RECONNECT_DELAY_MAX_MS };
    Object.keys(options || {}).forEach(function (key) { settings[key] = options[key]; });
    var socket = io(settings);
    socket.on("connect_error", function () {
      if (socket.active) { return; } // dropped, not refused: the client itself is retrying
      var delay = REFUSED_RETRY_MIN_MS + Math.random() * REFUSED_RETRY_SPREAD_MS;
      window.setTimeout(function () {
        if (!keepTrying || keepTrying()) { socket.connect(); }
      }, delay);
    });
    return socket;
  }

  /* Asks again after a failed fetch: ``task`` runs after 5 s, then twice as long after each
   * failure in a row, up to a minute, with one timer at a time; ``succeeded()`` starts over.
   * The server is there but could not answer (restarting, say): a push that arrived
   * meanwhile must not be left unread. */
  function retrying(task) {
    var delay = FETCH_RETRY_FIRST_MS;
    var timer = null;
    return {
      failed: function () {
        if (timer !== null) { return; }
        timer = window.setTimeout(function () { timer = null; task(); }, delay);
        delay = Math.min(delay * 2, FETCH_RETRY_LONGEST_MS);
      },
      succeeded: function () { delay = FETCH_RETRY_FIRST_MS; }
    };
  }

  window.RoundsLive = { connect: connect, retrying: retrying };
})();
