// Keyboard shortcuts for the review screen. Every action is also a real link or form, so this file only clicks
// what is already on the page: Space/Enter shows the answer, 0-5 grade, U undoes.
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var panel = document.getElementById("card-panel");
    if (!panel || panel.querySelector(".htmx-request")) return;
    var target = null;
    if (event.key === " " || event.key === "Enter") {
      // Enter on a focused button or link already activates it.
      if (event.key === "Enter" && event.target.closest && event.target.closest("a, button")) return;
      target = panel.querySelector("#show-answer");
    } else if (/^[0-5]$/.test(event.key)) {
      target = panel.querySelector('button[name="quality"][value="' + event.key + '"]');
    } else if (event.key === "u" || event.key === "U") {
      target = panel.querySelector("#undo");
    }
    if (target) {
      event.preventDefault();
      target.click();
    }
  });

  // After a swap, keep focus inside the panel so screen readers and the keyboard follow the new card.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "card-panel") {
      var panel = document.getElementById("card-panel");
      if (panel) {
        panel.setAttribute("tabindex", "-1");
        panel.focus({ preventScroll: true });
      }
    }
  });
})();
