// Keyboard shortcuts for the review screen. Every action is also a real link or form, so this file only clicks
// what is already on the page: Space/Enter shows the answer, 0-5 grade, U undoes.
(function () {
  "use strict";

  var pendingKey = null;

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function targetFor(panel, key) {
    if (key === " " || key === "Enter") return panel.querySelector("#show-answer");
    if (/^[0-5]$/.test(key)) return panel.querySelector('button[name="quality"][value="' + key + '"]');
    if (key === "u" || key === "U") return panel.querySelector("#undo");
    return null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    // Enter on a focused button or link already activates it.
    if (event.key === "Enter" && event.target.closest && event.target.closest("a, button")) return;
    var panel = document.getElementById("card-panel");
    if (!panel || !targetFor(panel, event.key)) return;
    event.preventDefault();
    if (panel.querySelector(".htmx-request")) return; // a grade is on its way: ignore, don't double-submit
    if (panel.classList.contains("htmx-added")) {
      // htmx wires up a freshly swapped panel a moment later (when it settles); a click before that would
      // bypass htmx and load a whole page. Keep the key and replay it once the panel is ready.
      pendingKey = event.key;
      return;
    }
    targetFor(panel, event.key).click();
  });

  // After a swap, keep focus inside the panel so screen readers and the keyboard follow the new card.
  document.addEventListener("htmx:afterSettle", function () {
    var panel = document.getElementById("card-panel");
    if (!panel) return;
    panel.setAttribute("tabindex", "-1");
    panel.focus({ preventScroll: true });
    if (pendingKey !== null) {
      var target = targetFor(panel, pendingKey);
      pendingKey = null;
      if (target) target.click();
    }
  });
})();
