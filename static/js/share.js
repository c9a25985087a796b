// "Share the link": the phone's own share sheet where there is one, else copy to the clipboard.
// Without script the link stays in its box, to select and copy by hand.
(() => {
  "use strict";

  document.querySelectorAll("[data-share]").forEach((button) => {
    const field = document.getElementById(button.dataset.share);
    const status = document.getElementById("share-status");
    if (!field || !(navigator.share || navigator.clipboard)) { return; }
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        if (navigator.share) {
          await navigator.share({ url: field.value });
        } else {
          await navigator.clipboard.writeText(field.value);
          if (status) { status.textContent = window.RoundsWords.gettext("Copied. Paste it into a message."); }
        }
      } catch (error) {
        field.select(); // shared nothing (cancelled, or not allowed): select it to copy by hand
      }
    });
  });
})();
