/*
 * Staff screens, live. The census refreshes its rows when any child of the unit changes;
 * a child's page says when someone else changed this child's updates, without touching
 * what is being typed in the composer.
 */
(function () {
  "use strict";

  var census = document.querySelector("[data-live-census]");
  var patientPage = document.querySelector("[data-live-patient]");
  if ((!census && !patientPage) || !window.RoundsLive) { return; }

  var refreshing = false;
  var refreshAgain = false;

  function refreshCensus() {
    if (refreshing) { refreshAgain = true; return; }
    refreshing = true;
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html")
          .querySelector("[data-live-census]");
        if (fresh) {
          census.innerHTML = fresh.innerHTML; // our own server-rendered, escaped page
          if (window.RoundsTime) { window.RoundsTime.refresh(census); }
        }
      })
      .catch(function () { /* the next event or a reload will bring it */ })
      .then(function () {
        refreshing = false;
        if (refreshAgain) { refreshAgain = false; refreshCensus(); }
      });
  }

  var patientId = patientPage ? Number(patientPage.getAttribute("data-live-patient")) : null;
  var shownSeq = patientPage ? Number(patientPage.getAttribute("data-last-seq")) || 0 : 0;

  function showChanged() {
    document.getElementById("changed-elsewhere").hidden = false;
  }

  function showNewestHistory() {
    // Only the history is replaced: the composer and what is typed in it stay as they are.
    fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("history");
        var layout = page.querySelector("[data-live-patient]");
        if (!fresh || !layout) { return; }
        document.getElementById("history").innerHTML = fresh.innerHTML; // server-escaped
        shownSeq = Number(layout.getAttribute("data-last-seq")) || shownSeq;
        document.getElementById("changed-elsewhere").hidden = true;
        if (window.RoundsTime) { window.RoundsTime.refresh(document); }
        document.getElementById("history-title").focus();
      });
  }

  function checkPatient() {
    // Anything after the event this page was rendered at? (Missed while connecting, say.)
    var url = patientPage.getAttribute("data-events-url") + "?after=" + shownSeq;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body && body.events.length) { showChanged(); } })
      .catch(function () { /* the next event will tell */ });
  }

  if (patientPage) {
    document.getElementById("show-history").addEventListener("click", showNewestHistory);
  }

  var socket = window.RoundsLive.connect();
  socket.on("family_event", function (note) {
    if (census) { refreshCensus(); return; }
    if (note && note.patient === patientId && note.seq > shownSeq) { showChanged(); }
  });
  // On every (re)connect, catch up on what changed before or while the socket was away.
  socket.on("connect", function () {
    if (census) { refreshCensus(); } else { checkPatient(); }
  });
})();
