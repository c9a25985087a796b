/*
 * The rounds queue, live: when anyone changes the queue, or a family answers or asks, the
 * queue is fetched again and shown as it is (a colleague's move appears on this tablet too).
 * What someone is typing (a join link) is not thrown away: the refresh waits until they
 * leave the field. Children still waiting can be dragged to a new place; the "Move up" and
 * "Move down" buttons do the same for keyboards and screen readers, and without script.
 */
(function () {
  "use strict";

  var holder = document.querySelector("[data-rounds-queue]");
  if (!holder || !window.RoundsLive) { return; }
  var unit = Number(holder.getAttribute("data-unit"));
  var url = holder.getAttribute("data-queue-url");
  var problem = document.getElementById("live-problem");
  var refreshing = false;
  var again = false;
  var retry = window.RoundsLive.retrying(refresh);

  function typing() {
    var active = document.activeElement;
    return active && holder.contains(active) && active.tagName === "INPUT" && active.value !== active.defaultValue;
  }

  function refresh() {
    if (refreshing || typing()) { again = true; return; }
    refreshing = true;
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        holder.innerHTML = html; // our own server-rendered, escaped markup
        if (window.RoundsTime) { window.RoundsTime.refresh(holder); }
        problem.hidden = true;
        retry.succeeded();
      })
      .catch(function () {
        problem.textContent = "The queue could not be brought up to date just now. Rounds tries again by itself.";
        problem.hidden = false;
        retry.failed();
      })
      .finally(function () {
        refreshing = false;
        if (again && !typing()) { again = false; refresh(); }
      });
  }

  holder.addEventListener("focusout", function () {
    window.setTimeout(function () { if (again && !typing()) { again = false; refresh(); } }, 0);
  });

  var socket = window.RoundsLive.connect({});
  var connectedBefore = false;
  socket.on("connect", function () {
    if (connectedBefore) { refresh(); } // it may have missed changes while away
    connectedBefore = true;
    holder.setAttribute("data-live", "yes"); // tests wait for it before acting elsewhere
  });
  socket.on("disconnect", function () { holder.setAttribute("data-live", "no"); });
  socket.on("rounds_changed", function (message) {
    if (message && message.unit === unit) { refresh(); }
  });

  // Drag and drop: a waiting child dropped on another waiting child takes its place.
  var dragged = null;
  holder.addEventListener("dragstart", function (event) {
    var row = event.target.closest && event.target.closest("[draggable=true]");
    if (!row) { return; }
    dragged = row;
    row.classList.add("queue-row--dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.getAttribute("data-patient"));
  });
  holder.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("queue-row--dragging"); }
    dragged = null;
  });
  holder.addEventListener("dragover", function (event) {
    var row = event.target.closest && event.target.closest("[draggable=true]");
    if (dragged && row && row !== dragged) { event.preventDefault(); }
  });
  holder.addEventListener("drop", function (event) {
    var row = event.target.closest && event.target.closest("[draggable=true]");
    if (!dragged || !row || row === dragged) { return; }
    event.preventDefault();
    move(dragged.getAttribute("data-patient"), row.getAttribute("data-position"));
  });

  function move(patient, position) {
    var queue = holder.querySelector("[data-version]");
    var form = document.createElement("form");
    form.method = "post";
    form.action = holder.getAttribute("data-move-url");
    var fields = {
      csrf_token: holder.querySelector("input[name=csrf_token]").value,
      version: queue.getAttribute("data-version"),
      patient: patient,
      position: position
    };
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = fields[name];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }
})();
