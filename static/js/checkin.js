/* Check-in form: show each 0–10 answer beside its slider as it moves. */
(function () {
  "use strict";
  document.querySelectorAll('input[type="range"]').forEach(function (slider) {
    const output = document.querySelector('output[for="' + slider.id + '"]');
    if (!output) return;
    const show = function () { output.value = slider.value; };
    slider.addEventListener("input", show);
    show();
  });
})();
