/* Check-in form: each 0–10 slider starts unset. It gets its name (and so is sent) only once the patient
   moves it, taps it or uses a key on it, so a slider left alone is asked again rather than sent as 5. */
(function () {
  "use strict";
  document.querySelectorAll("input.patient-scale").forEach(function (slider) {
    const output = document.querySelector('output[for="' + slider.id + '"]');
    const set = function () {
      slider.name = slider.dataset.name;
      slider.classList.remove("scale-unset");
      slider.removeAttribute("aria-valuetext");
      if (output) output.value = slider.value;
    };
    slider.addEventListener("input", set);
    slider.addEventListener("change", set);
    // A tap on the value it already shows (the middle) fires no input event.
    slider.addEventListener("pointerup", set);
    slider.addEventListener("keyup", function (event) {
      if (/^(Arrow|Home|End|Page)/.test(event.key)) set();
    });
  });
})();
