// The booking form: the video link is asked for only when the session is held by video.
(function () {
  "use strict";
  var form = document.getElementById("session-book");
  if (!form) return;
  var link = document.getElementById("div_id_video_link");
  var input = document.getElementById("id_video_link");
  function update() {
    var chosen = form.querySelector("input[name=modality]:checked");
    var video = chosen !== null && chosen.value === "video";
    if (link) link.hidden = !video;
    if (input) input.required = video;
    // The warning for a modality the patient does not prefer (the booking is still allowed).
    document.querySelectorAll(".preference-warning").forEach(function (warning) {
      warning.hidden = chosen === null || warning.dataset.modality !== chosen.value;
    });
  }
  form.addEventListener("change", update);
  update();
})();
