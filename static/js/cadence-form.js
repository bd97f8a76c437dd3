// The check-in schedule form shows only the fields of the cadence chosen. Without this script every
// field shows and the server ignores the ones of the cadences not chosen (checkins.forms.ScheduleForm).
(function () {
  "use strict";
  const form = document.querySelector("form.cadence-form");
  if (!form) {
    return;
  }
  const groups = form.querySelectorAll(".cadence-fields[data-cadence]");

  function show() {
    const chosen = form.querySelector('input[name="cadence"]:checked');
    groups.forEach(function (group) {
      group.hidden = !chosen || group.dataset.cadence !== chosen.value;
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "cadence") {
      show();
    }
  });
  show();
})();
