/* The dashboard's twelve-week trend of the headline numbers. */
(function () {
  "use strict";
  const data = document.getElementById("dashboard-trend-data");
  const canvas = document.getElementById("dashboard-trend");
  if (!data || !canvas || typeof Chart === "undefined") return;
  const trend = JSON.parse(data.textContent);
  const colours = { exercise: "#1f4e5f", attendance: "#6f42c1", milestones: "#fd7e14", checkins: "#20c997" };
  new Chart(canvas, {
    type: "line",
    data: {
      labels: trend.labels,
      datasets: Object.keys(trend.series).map(function (key) {
        return { label: trend.names[key] + " %", data: trend.series[key], borderColor: colours[key],
                 backgroundColor: colours[key], spanGaps: true, pointRadius: 2, tension: 0.25 };
      }),
    },
    options: { animation: false, scales: { y: { min: 0, max: 100 } } },
  });
})();
