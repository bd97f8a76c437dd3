/* Trajectory charts on the patient overview: one line per instrument, with its band thresholds. */
(function () {
  "use strict";

  const data = document.getElementById("screening-charts");
  if (!data || typeof Chart === "undefined") return;

  const BAND_COLOURS = ["#198754", "#9ec5a8", "#ffc107", "#fd7e14", "#dc3545"];

  JSON.parse(data.textContent).forEach(function (chart) {
    const canvas = document.getElementById(chart.id);
    if (!canvas) return;
    // Each band's upper edge drawn as a dashed line, labelled with the band it closes.
    const thresholds = chart.bands.slice(0, -1).map(function (band, index) {
      return {
        label: interpolate(gettext("%(band)s ≤ %(score)s"), { band: band.label, score: band.high }, true),
        data: chart.points.map(function (point) { return { x: point.x, y: band.high + 0.5 }; }),
        borderColor: BAND_COLOURS[index % BAND_COLOURS.length],
        borderDash: [4, 4],
        borderWidth: 1,
        pointRadius: 0,
        fill: false,
      };
    });
    new Chart(canvas, {
      type: "line",
      data: {
        datasets: [{
          label: chart.code,
          data: chart.points,
          borderColor: "#1f4e5f",
          backgroundColor: "#1f4e5f",
          tension: 0.2,
        }].concat(thresholds),
      },
      options: {
        animation: false,
        parsing: { xAxisKey: "x", yAxisKey: "y" },
        scales: {
          x: { type: "category", labels: chart.points.map(function (p) { return p.x; }) },
          y: { min: chart.min, max: chart.max },
        },
        plugins: { legend: { labels: { boxWidth: 12, font: { size: 10 } } } },
      },
    });
  });
})();
