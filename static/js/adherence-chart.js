/* A patient's weeks: adherence percentages on the left axis; mood and pain (0–10) and PHQ-9 (its own
 * 0–27 scale, from the instrument's definition) each on an axis of their own on the right.
 *
 * The week that holds today is not over (s.partial is its index): each adherence line stops at the
 * last whole week and a dashed, paler dataset carries it into "this week so far". */
(function () {
  "use strict";
  const data = document.getElementById("adherence-series");
  const canvas = document.getElementById("adherence-chart");
  if (!data || !canvas || typeof Chart === "undefined") return;
  const s = JSON.parse(data.textContent);
  const partial = s.partial;
  const labels = window.weekSoFar.label(s.labels, partial);
  const line = function (label, values, colour, axis, dashed) {
    return {
      label: label, data: values, borderColor: colour, backgroundColor: colour, yAxisID: axis,
      borderDash: dashed ? [4, 3] : [], spanGaps: true, pointRadius: 2, tension: 0.25, cubicInterpolationMode: "monotone",
    };
  };
  const rate = function (label, values, colour) {
    return [
      line(label, window.weekSoFar.whole(values, partial), colour, "percent", false),
      Object.assign(line(interpolate(gettext("%(series)s, this week so far"), { series: label }, true), window.weekSoFar.soFar(values, partial), colour + "80", "percent", true), {
        partialWeek: true, backgroundColor: "#ffffff", borderDash: [5, 4], pointRadius: 3.5, pointBorderWidth: 2, tension: 0,
      }),
    ];
  };
  new Chart(canvas, {
    type: "line",
    data: {
      labels: labels,
      datasets: [].concat(
        rate(gettext("Exercise %"), s.exercise, "#1f4e5f"),
        rate(gettext("Attendance %"), s.attendance, "#6f42c1"),
        rate(gettext("Check-ins answered %"), s.response, "#20c997"),
        [
          line(gettext("Mood (0–10)"), s.mood, "#198754", "score", true),
          line(gettext("Pain (0–10)"), s.pain, "#dc3545", "score", true),
          line(interpolate(gettext("PHQ-9 (%(min)s–%(max)s)"), { min: s.phq9_min, max: s.phq9_max }, true), s.phq9, "#fd7e14", "phq", true),
        ]
      ),
    },
    options: {
      animation: false,
      scales: {
        percent: { position: "left", min: 0, max: 100, title: { display: true, text: "%" } },
        score: { position: "right", min: 0, max: 10, grid: { drawOnChartArea: false },
                 title: { display: true, text: gettext("Mood, pain") } },
        phq: { position: "right", min: s.phq9_min, max: s.phq9_max, grid: { drawOnChartArea: false },
               title: { display: true, text: "PHQ-9" } },
      },
      plugins: { legend: { labels: { boxWidth: 10, font: { size: 10 },
        filter: function (item, chartData) { return !chartData.datasets[item.datasetIndex].partialWeek; } } } },
    },
  });
})();
