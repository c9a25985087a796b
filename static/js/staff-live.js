/*
 * Staff screens, live. The census refreshes the rows of the children that changed, a batch a
 * second at most (and the whole census when it (re)connects, or when the unit's list of
 * children changed);
 * a child's page says when someone else changed this child's updates, without touching
 * what is being typed in the composer. When Rounds cannot answer, the page says so in words
 * (#live-problem, and beside "Show the newest history") and keeps what it shows.
 */
(function () {
  "use strict";

  var census = document.querySelector("[data-live-census]");
  var patientPage = document.querySelector("[data-live-patient]");
  if ((!census && !patientPage) || !window.RoundsLive) { return; }

  var problem = document.getElementById("live-problem");
  var shownAt = new Date(); // when what the page shows was last known to be up to date
  var refreshing = false;
  var refreshAgain = false;

  var SIGNED_OUT = "signed out";
  var COPY_FIRST = "Copy what you are typing before you sign in again.";

  /* Says why the page may be behind; false when trying again would not help. */
  // Said as "5 minutes ago", not as a clock: staff read every other time on the page in the
  // unit's zone, and the browser's own clock may be another.
  var STALE_AFTER_MS = 60000;

  function showProblem(error) {
    var signedOut = error && error.message === SIGNED_OUT;
    var now = new Date();
    problem.textContent = signedOut
      ? "You have been signed out, so this page is no longer kept up to date." +
        (patientPage ? " " + COPY_FIRST : "")
      : "This page could not be brought up to date just now." +
        (now - shownAt < STALE_AFTER_MS ? ""
          : " It shows what was known " + window.RoundsTime.ago(shownAt, now) + ".") +
        " Rounds tries again by itself.";
    problem.hidden = false;
    return !signedOut;
  }

  function upToDate() {
    shownAt = new Date();
    problem.hidden = true;
  }

  function notOk(response) {
    return new Error(response.status === 401 ? SIGNED_OUT : "HTTP " + response.status);
  }

  var censusRetry = window.RoundsLive.retrying(refreshCensus);

  function refreshCensus() {
    if (refreshing) { refreshAgain = true; return; }
    refreshing = true;
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw notOk(response); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html")
          .querySelector("[data-live-census]");
        // Not the census: the sign-in page, after signing out or a session that ran out.
        if (!fresh) { throw new Error(SIGNED_OUT); }
        census.innerHTML = fresh.innerHTML; // our own server-rendered, escaped page
        window.RoundsTime.refresh(census);
        censusRetry.succeeded();
        upToDate();
      })
      .catch(function (error) {
        if (showProblem(error)) { censusRetry.failed(); }
      })
      .finally(function () {
        refreshing = false;
        if (refreshAgain) { refreshAgain = false; refreshCensus(); }
      });
  }

  // A colleague's post changes one child's row. The rows of the children that changed within
  // a second are fetched together, one request at a time: a unit posting ten updates a
  // second on rounds sends each open census a request a second, not ten.
  var ROWS_AFTER_MS = 1000;
  var rowsUrl = census ? census.getAttribute("data-rows-url") : null;
  var rowsWanted = {};
  var rowsTimer = null;
  var rowsAsking = false;

  /* One child changed: their row comes with the next batch. A child this page does not show
   * (just admitted) changes the unit's list itself: then the whole census. */
  function rowChanged(childId) {
    if (!census.querySelector('[data-census-child="' + childId + '"]')) { refreshCensus(); return; }
    rowsWanted[childId] = true;
    askForRowsSoon();
  }

  function askForRowsSoon() {
    if (rowsTimer === null && !rowsAsking) { rowsTimer = window.setTimeout(askForRows, ROWS_AFTER_MS); }
  }

  function askForRows() {
    rowsTimer = null;
    var ids = Object.keys(rowsWanted);
    if (!ids.length) { return; }
    rowsWanted = {};
    rowsAsking = true;
    fetch(rowsUrl + "?children=" + ids.join(","), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        // 404: one of them is no longer in this census (discharged): the whole census.
        if (response.status === 404) { return null; }
        if (!response.ok) { throw notOk(response); }
        return response.text();
      })
      .then(function (html) {
        if (html === null) { refreshCensus(); return; }
        // Our own server-rendered, escaped rows, in a table so that they parse as rows.
        var fresh = new DOMParser().parseFromString(html, "text/html")
          .querySelectorAll("tr[data-census-child]");
        // No rows: the sign-in page, after signing out or a session that ran out.
        if (!fresh.length) { throw new Error(SIGNED_OUT); }
        for (var i = 0; i < fresh.length; i++) {
          var childId = fresh[i].getAttribute("data-census-child");
          var shown = census.querySelector('[data-census-child="' + childId + '"]');
          if (!shown) { refreshCensus(); return; }
          var adopted = document.importNode(fresh[i], true);
          shown.replaceWith(adopted);
          window.RoundsTime.refresh(adopted);
        }
        upToDate();
      })
      .catch(function (error) {
        // What else was missed is unknown: the retry brings the whole census.
        if (showProblem(error)) { censusRetry.failed(); }
      })
      .finally(function () {
        rowsAsking = false;
        if (Object.keys(rowsWanted).length) { askForRowsSoon(); }
      });
  }

  var patientId = patientPage ? Number(patientPage.getAttribute("data-live-patient")) : null;
  var shownSeq = patientPage ? Number(patientPage.getAttribute("data-last-seq")) || 0 : 0;

  function showChanged() {
    document.getElementById("changed-elsewhere").hidden = false;
  }

  function historyNotShown(text) {
    var note = document.getElementById("history-problem");
    note.textContent = text;
    note.hidden = !text;
  }

  function showNewestHistory() {
    // Only the history is replaced: the composer and what is typed in it stay as they are.
    var reached = false;
    historyNotShown("");
    fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        reached = true;
        if (!response.ok) { throw notOk(response); }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("history");
        var layout = page.querySelector("[data-live-patient]");
        // Not this child's page: the sign-in page, after signing out or a session that ran out.
        if (!fresh || !layout) { throw new Error(SIGNED_OUT); }
        document.getElementById("history").innerHTML = fresh.innerHTML; // server-escaped
        shownSeq = Number(layout.getAttribute("data-last-seq")) || shownSeq;
        document.getElementById("changed-elsewhere").hidden = true;
        window.RoundsTime.refresh(document);
        upToDate();
        document.getElementById("history-title").focus();
      })
      .catch(function (error) {
        // Said beside the button, which keeps the focus: pressing it again is the retry.
        if (error && error.message === SIGNED_OUT) {
          historyNotShown("You have been signed out, so the newest history cannot be shown. " + COPY_FIRST);
        } else if (!reached) {
          historyNotShown("Rounds cannot be reached just now, so the newest history is not " +
            "shown yet. What you are typing stays here. Try again in a moment.");
        } else {
          historyNotShown("Rounds could not show the newest history just now. What you are " +
            "typing stays here. Try again in a moment.");
        }
      });
  }

  var patientRetry = window.RoundsLive.retrying(checkPatient);

  function checkPatient() {
    // Anything after the event this page was rendered at? (Missed while connecting, say.)
    var url = patientPage.getAttribute("data-events-url") + "?after=" + shownSeq;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw notOk(response); }
        return response.json();
      })
      .then(function (body) {
        patientRetry.succeeded();
        upToDate();
        // Compared with shownSeq now: the history may have been shown while this was asked.
        if (body.events.some(function (event) { return event.seq > shownSeq; })) { showChanged(); }
      })
      .catch(function (error) {
        if (showProblem(error)) { patientRetry.failed(); }
      });
  }

  if (patientPage) {
    document.getElementById("show-history").addEventListener("click", showNewestHistory);
  }

  var socket = window.RoundsLive.connect();
  socket.on("family_event", function (note) {
    if (census) {
      if (note && typeof note.patient === "number") { rowChanged(note.patient); } else { refreshCensus(); }
      return;
    }
    if (note && note.patient === patientId && note.seq > shownSeq) { showChanged(); }
  });
  // A family asked (or a question was rendered): the translations page lists the questions
  // waiting for an interpreter, so it is brought up to date (the census has no questions).
  socket.on("rounds_changed", function () {
    if (census && !rowsUrl) { refreshCensus(); }
  });
  // On every (re)connect, catch up on what changed before or while the socket was away.
  socket.on("connect", function () {
    if (census) { refreshCensus(); } else { checkPatient(); }
  });
})();
