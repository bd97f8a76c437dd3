/* Sparklines of mood, pain and sleep over the patient's recent check-ins. */
(function () {
  "use strict";
  const data = document.getElementById("checkin-series");
  const canvas = document.getElementById("checkin-sparklines");
  if (!data || !canvas || typeof Chart === "undefined") return;
  const series = JSON.parse(data.textContent);
  const line = function (label, values, colour) {
    return { label: label, data: values, borderColor: colour, backgroundColor: colour, pointRadius: 2, tension: 0.3 };
  };
  new Chart(canvas, {
    type: "line",
    data: {
      labels: series.labels,
      datasets: [line(gettext("Mood"), series.mood, "#198754"), line(gettext("Pain"), series.pain, "#dc3545"),
                 line(gettext("Sleep"), series.sleep, "#0d6efd")],
    },
    options: {
      animation: false,
      scales: { y: { min: 0, max: 10, ticks: { stepSize: 5 } }, x: { ticks: { maxTicksLimit: 6 } } },
      plugins: { legend: { labels: { boxWidth: 10, font: { size: 10 } } } },
    },
  });
})();
