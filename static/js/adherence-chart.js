/* A patient's weeks: adherence percentages on the left axis, mood, pain and PHQ-9 on the right. */
(function () {
  "use strict";
  const data = document.getElementById("adherence-series");
  const canvas = document.getElementById("adherence-chart");
  if (!data || !canvas || typeof Chart === "undefined") return;
  const s = JSON.parse(data.textContent);
  const line = function (label, values, colour, axis, dashed) {
    return {
      label: label, data: values, borderColor: colour, backgroundColor: colour, yAxisID: axis,
      borderDash: dashed ? [4, 3] : [], spanGaps: true, pointRadius: 2, tension: 0.25,
    };
  };
  new Chart(canvas, {
    type: "line",
    data: {
      labels: s.labels,
      datasets: [
        line("Exercise %", s.exercise, "#1f4e5f", "percent", false),
        line("Attendance %", s.attendance, "#6f42c1", "percent", false),
        line("Check-ins answered %", s.response, "#20c997", "percent", false),
        line("Mood", s.mood, "#198754", "score", true),
        line("Pain", s.pain, "#dc3545", "score", true),
        line("PHQ-9", s.phq9, "#fd7e14", "phq", true),
      ],
    },
    options: {
      animation: false,
      scales: {
        percent: { position: "left", min: 0, max: 100 },
        score: { position: "right", min: 0, max: 10, grid: { drawOnChartArea: false } },
        phq: { display: false, min: 0, max: 27 },
      },
      plugins: { legend: { labels: { boxWidth: 10, font: { size: 10 } } } },
    },
  });
})();
