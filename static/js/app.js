// Keyboard shortcuts for the review screen. Every action is also a real link or form, so this file only clicks
// what is already on the page: Space/Enter shows the answer, 0-5 (or 1-4 with four buttons) grade, U undoes,
// I opens the card's history and E its editor (for a card the learner may change).
(function () {
  "use strict";

  var pendingKey = null;

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function targetFor(panel, key) {
    if (key === " " || key === "Enter") return panel.querySelector("#show-answer");
    if (/^[0-5]$/.test(key)) return panel.querySelector('button[name="quality"][data-key="' + key + '"]');
    if (key === "u" || key === "U") return panel.querySelector("#undo");
    if (key === "i" || key === "I") return panel.querySelector("#card-info-link");
    if (key === "e" || key === "E") return panel.querySelector("#edit-card-link");
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

// Keyboard and clock for a quiz or mock exam question. 1-6 choose an option, N saves and moves on (or moves on
// when nothing is chosen), F flags. The deadline lives on the server: this countdown only shows it, and at zero
// asks the server for the question again, which submits the exam and answers with the results.
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName) ||
      (target.tagName === "INPUT" && !/^(radio|checkbox)$/.test(target.type)));
  }

  function targetFor(panel, key) {
    if (/^[1-6]$/.test(key)) return panel.querySelectorAll('input[name="option"]:not(:disabled)')[Number(key) - 1] || null;
    if (key === "n" || key === "N") {
      var save = panel.querySelector("#save");
      if (save && panel.querySelector('input[name="option"]:checked')) return save;
      return panel.querySelector("#next");
    }
    if (key === "f" || key === "F") return panel.querySelector("#flag");
    return null;
  }

  var pendingKey = null;

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var panel = document.getElementById("exam-panel");
    if (!panel) return;
    var target = targetFor(panel, event.key);
    if (!target) return;
    event.preventDefault();
    if (panel.querySelector(".htmx-request") || panel.classList.contains("htmx-request")) return;
    if (panel.classList.contains("htmx-added")) {
      // As on the review screen: a freshly swapped panel is wired up when it settles; replay the key then.
      pendingKey = event.key;
      return;
    }
    target.click();
  });

  var timer = null;
  function startClock() {
    if (timer) clearInterval(timer);
    var panel = document.getElementById("exam-panel");
    var shown = document.getElementById("time-left");
    if (!panel || !shown || !panel.dataset.secondsLeft) return;
    var end = Date.now() + Number(panel.dataset.secondsLeft) * 1000;
    timer = setInterval(function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      shown.textContent = h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
      if (left === 0) {
        clearInterval(timer);
        window.location.assign(panel.dataset.expiredUrl);
      }
    }, 1000);
  }
  document.addEventListener("DOMContentLoaded", startClock);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "exam-panel") {
      startClock();
      event.target.setAttribute("tabindex", "-1");
      event.target.focus({ preventScroll: true });
      if (pendingKey !== null) {
        var target = targetFor(event.target, pendingKey);
        pendingKey = null;
        if (target) target.click();
      }
    }
  });
})();

// The deck page: after an action on a card row (move, suspend, retire, restore) htmx replaces the whole list, which
// would drop the keyboard focus to the top of the page. Keep it on the same control of the same row (Up stays on Up,
// Suspend moves to Unsuspend, Retire to the retired card's Restore), else on the row, else on a neighbour.
(function () {
  "use strict";

  var pending = null;
  var OPPOSITE = { suspend: "unsuspend", unsuspend: "suspend", retire: "restore", restore: "retire" };

  function focusable(element) {
    if (!element.matches("a, button, input, select, textarea")) element.setAttribute("tabindex", "-1");
    return element;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    var row = form && form.closest && form.closest("#card-list .card-row");
    if (!row) return;
    var neighbour = row.nextElementSibling || row.previousElementSibling;
    var direction = form.querySelector('input[name="direction"]');
    pending = {
      row: row.id,
      neighbour: neighbour && neighbour.id,
      direction: direction ? direction.value : null,
      action: form.getAttribute("action"),
    };
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!pending || !event.target || event.target.id !== "card-list") return;
    var state = pending;
    pending = null;
    var row = document.getElementById(state.row);
    var target = null;
    if (row) {
      if (state.direction) {
        var input = row.querySelector('input[name="direction"][value="' + state.direction + '"]');
        target = input && input.form.querySelector("button");
      }
      if (!target) {
        var toggled = state.action.replace(/\/(unsuspend|suspend|retire|restore)\/$/, function (match, verb) {
          return "/" + OPPOSITE[verb] + "/";
        });
        target = row.querySelector('form[action="' + state.action + '"] button, form[action="' + toggled + '"] button');
      }
      if (!target) target = focusable(row);
    } else {
      var neighbour = state.neighbour && document.getElementById(state.neighbour);
      target = focusable(neighbour || event.target.querySelector("h2"));
    }
    target.focus();
  });
})();

// Sign-up and settings: a time-zone select still on the default (the server marks it data-detect-zone) is set to the
// browser's own zone, and a note says so: nothing is saved until the form is sent. Without JavaScript the select
// simply stays on the default.
(function () {
  "use strict";

  var select = document.querySelector("select[data-detect-zone]");
  if (!select) return;
  var zone = null;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone || zone === select.value) return;
  var known = Array.prototype.some.call(select.options, function (option) { return option.value === zone; });
  if (!known) return;
  select.value = zone;
  var note = document.createElement("span");
  note.className = "help detected-zone";
  note.setAttribute("role", "status");
  note.textContent = "Set to " + zone + ", your browser's time zone; change it if that is wrong.";
  select.insertAdjacentElement("afterend", note);
})();

// The group page's new invite link: a Copy button next to it (the link stays readable, selectable text without
// JavaScript, where the button never appears). The note after it says whether the copy worked.
(function () {
  "use strict";

  var field = document.getElementById("invite-link");
  if (!field) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button";
  button.id = "copy-invite";
  button.textContent = "Copy the link";
  var note = document.createElement("span");
  note.className = "help";
  note.setAttribute("role", "status");
  field.insertAdjacentElement("afterend", note);
  field.insertAdjacentElement("afterend", button);

  function copied(ok) {
    note.textContent = ok ? "Copied." : "Could not copy: select the link and copy it yourself.";
  }

  button.addEventListener("click", function () {
    field.select();
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(function () { copied(true); }, function () {
        copied(document.execCommand && document.execCommand("copy"));
      });
    } else {
      copied(document.execCommand && document.execCommand("copy"));
    }
  });
})();
