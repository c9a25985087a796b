/*
 * The family's live page. A push only says "event N exists for child P"; the page then asks
 * the server for everything after the last event it has, so nothing is missed or shown twice,
 * and every read is checked by the server. On (re)connect (sleep, network change, restart)
 * the socket itself says which child and which event the page has, and the server answers
 * with what it missed ("catch_up", the same answer as the events URL).
 */
(function () {
  "use strict";

  var feed = document.getElementById("feed");
  if (!feed || !window.RoundsLive) { return; } // no socket client: the page stays as rendered

  var patientId = Number(feed.getAttribute("data-patient"));
  var lastSeq = Number(feed.getAttribute("data-last-seq")) || 0;
  var eventsUrl = feed.getAttribute("data-events-url");
  var connection = document.getElementById("connection");
  var connectionText = document.getElementById("connection-text");
  var announcer = document.getElementById("announcer");
  var endedNotice = document.getElementById("ended");
  var signedOutNotice = document.getElementById("signed-out");
  var updatedAt = new Date();
  var fetching = false;
  var fetchAgain = false;
  var ended = false;
  var retry = window.RoundsLive.retrying(catchUp);
  var gettext = window.RoundsWords.gettext; // words.js, loaded first on every page
  var clock = window.RoundsTime.clock; // time.js, loaded before this script

  function setState(state, text) {
    connection.setAttribute("data-state", state);
    connectionText.textContent = text;
  }

  function showConnected() {
    setState("live", gettext("Live · checked at %(time)s", { time: clock(updatedAt) }));
  }

  function showDisconnected() {
    var state = navigator.onLine === false ? "offline" : "reconnecting";
    var text = state === "offline"
      ? gettext("Offline. Showing updates as of %(time)s.", { time: clock(updatedAt) })
      : gettext("Reconnecting… Showing updates as of %(time)s.", { time: clock(updatedAt) });
    setState(state, text);
  }

  function announce(text) {
    // Cleared first so the same words are announced again for a second event.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function endAccess() {
    ended = true;
    endedNotice.hidden = false;
    feed.hidden = true;
    setState("offline", gettext("Not receiving updates"));
    if (socket) { socket.disconnect(); }
  }

  function signedOut() {
    ended = true;
    signedOutNotice.hidden = false;
    setState("offline", gettext("Signed out"));
    if (socket) { socket.disconnect(); }
  }

  function apply(body) {
    var fresh = body.events.filter(function (event) { return event.seq > lastSeq; });
    updatedAt = new Date();
    if (fresh.length && body.html) {
      var messages = [];
      fresh.forEach(function (event) {
        // No words: a translation into another family member's language; nothing here changed.
        if (event.message && messages.indexOf(event.message) === -1) { messages.push(event.message); }
      });
      lastSeq = body.last_seq;
      feed.setAttribute("data-last-seq", String(lastSeq));
      if (!messages.length) { return; } // left as it is: what the reader opened stays open
      feed.innerHTML = body.html; // rendered and escaped by the server's templates
      announce(messages.join(" "));
      window.RoundsTime.refresh(feed);
    }
  }

  function catchUp() {
    if (ended) { return; }
    if (fetching) { fetchAgain = true; return; }
    fetching = true;
    fetch(eventsUrl + "?after=" + encodeURIComponent(lastSeq), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store"
    })
      .then(function (response) {
        if (response.status === 404) { endAccess(); return null; }
        if (response.status === 401) { signedOut(); return null; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (body) {
        retry.succeeded();
        if (body) {
          apply(body);
          if (socket && socket.connected) { showConnected(); }
        }
      })
      .catch(function () {
        // The server is there but could not answer (restarting, say): asked again later.
        showDisconnected();
        retry.failed();
      })
      .finally(function () {
        fetching = false;
        if (fetchAgain) { fetchAgain = false; catchUp(); }
      });
  }

  var socket = window.RoundsLive.connect({
    // Read again at every reconnect, so it is always the last event this page has.
    auth: function (send) { send({ patient: patientId, after: lastSeq }); }
  }, function keepTrying() { return !ended; });
  setState("connecting", gettext("Connecting…"));

  var caughtUp = false; // this connection brought its catch_up
  socket.on("connect", function () {
    showConnected();
    // The server sends catch_up before it confirms the connect, so it is here by now. A
    // process that does not send it (the older version, during a rolling upgrade) is asked.
    window.setTimeout(function () { if (!caughtUp) { catchUp(); } }, 0);
  });
  socket.on("catch_up", function (body) {
    if (body && body.patient === patientId) {
      caughtUp = true;
      apply(body);
      showConnected();
    }
  });
  socket.on("disconnect", function () {
    caughtUp = false;
    if (!ended) { showDisconnected(); }
  });
  socket.on("connect_error", showDisconnected); // retried by RoundsLive while not ended
  socket.on("family_event", function (note) {
    if (note && note.patient === patientId && note.seq > lastSeq) { catchUp(); }
  });
  socket.on("access_ended", function (note) {
    if (note && note.patient === patientId) { endAccess(); }
  });

  window.addEventListener("offline", showDisconnected);
  window.addEventListener("online", function () {
    if (!socket.connected) { socket.connect(); }
    catchUp();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { catchUp(); }
  });
})();
