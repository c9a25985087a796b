/*
 * The composer's "Written in" select: says which languages an interpreter will be asked to
 * translate the update into (the family's languages other than the one chosen), as it changes.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-written-in]");
  if (!box) { return; }
  var select = box.querySelector("select");
  var note = box.querySelector("[data-interpreter-note]");
  var needs;
  try { needs = JSON.parse(box.getAttribute("data-needs") || "{}"); } catch (error) { return; }

  function list(names) {
    if (names.length < 2) { return names.join(""); }
    return names.slice(0, -1).join(", ") + " and " + names[names.length - 1];
  }

  function show() {
    var asked = Object.keys(needs)
      .filter(function (code) { return code !== select.value; })
      .map(function (code) { return needs[code]; });
    note.textContent = asked.length
      ? "An interpreter will be asked to translate into " + list(asked) + "."
      : "";
    note.hidden = !asked.length;
  }

  select.addEventListener("change", show);
})();
