// Signs the page out before the server's idle timeout would, warning first with a way to stay.
// The deadline runs from the page's load (its request renewed the session), or from "Stay signed in".
(function () {
  "use strict";
  const body = document.body;
  const idle = Number(body.dataset.idleSeconds || 0);
  const box = document.getElementById("session-warning");
  if (!idle || !box) {
    return;
  }
  const warn = Math.min(Number(body.dataset.warnSeconds || 120), idle);
  const countdown = document.getElementById("session-countdown");
  let deadline = 0;
  let warnTimer = 0;
  let ticker = 0;

  function signOut() {
    const form = document.getElementById("logout-form");
    if (form) {
      form.submit();
    }
  }

  function show() {
    box.classList.remove("d-none");
    ticker = window.setInterval(function () {
      const left = Math.round((deadline - Date.now()) / 1000);
      if (left <= 0) {
        window.clearInterval(ticker);
        signOut();
        return;
      }
      const minutes = Math.ceil(left / 60);
      // Translators: the time left in "You will be signed out for inactivity in …" (base.html).
      countdown.textContent = left > 60
        ? interpolate(ngettext("%(count)s minute", "%(count)s minutes", minutes), { count: minutes }, true)
        : interpolate(ngettext("%(count)s second", "%(count)s seconds", left), { count: left }, true);
    }, 1000);
  }

  function schedule() {
    box.classList.add("d-none");
    window.clearTimeout(warnTimer);
    window.clearInterval(ticker);
    deadline = Date.now() + idle * 1000;
    warnTimer = window.setTimeout(show, (idle - warn) * 1000);
  }

  document.getElementById("session-stay").addEventListener("click", function () {
    const csrf = JSON.parse(body.getAttribute("hx-headers"))["X-CSRFToken"];
    fetch(body.dataset.keepaliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrf },
      credentials: "same-origin",
      redirect: "manual",
    }).then(function (response) {
      if (response.status === 204) {
        schedule();
      } else {
        window.location.reload();
      }
    });
  });
  schedule();
})();
