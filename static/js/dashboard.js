/* The dashboard's twelve-week trend of the headline numbers, and each headline tile's own trend.
 *
 * The week that holds today is not over (trend.partial is its index): each metric's line stops at
 * the last whole week, and a second, dashed and paler dataset carries it into "this week so far",
 * so a week only begun never reads as a fall. */
(function () {
  "use strict";
  const data = document.getElementById("dashboard-trend-data");
  if (!data || typeof Chart === "undefined") return;
  const trend = JSON.parse(data.textContent);
  const colours = { exercise: "#1f4e5f", attendance: "#6f42c1", milestones: "#fd7e14", checkins: "#20c997" };
  const partial = trend.partial;
  const labels = window.weekSoFar.label(trend.labels, partial);

  const datasets = function (key, extra) {
    const colour = colours[key];
    const values = trend.series[key];
    // The metric's name comes translated from the server.
    const label = interpolate(gettext("%(metric)s %"), { metric: trend.names[key] }, true);
    return [
      Object.assign({ label: label, data: window.weekSoFar.whole(values, partial), borderColor: colour,
                      backgroundColor: colour, spanGaps: true, pointRadius: 2, tension: 0.25, cubicInterpolationMode: "monotone" }, extra),
      Object.assign({ label: interpolate(gettext("%(series)s, this week so far"), { series: label }, true), partialWeek: true,
                      data: window.weekSoFar.soFar(values, partial), borderColor: colour + "80", backgroundColor: "#ffffff",
                      borderDash: [5, 4], spanGaps: true, pointRadius: 3.5, pointBorderWidth: 2,
                      tension: 0 }, extra, { pointRadius: 3.5 }),
    ];
  };
  const notPartial = function (item, chartData) { return !chartData.datasets[item.datasetIndex].partialWeek; };

  const canvas = document.getElementById("dashboard-trend");
  if (canvas) {
    new Chart(canvas, {
      type: "line",
      data: { labels: labels, datasets: [].concat.apply([], Object.keys(trend.series).map(function (key) {
        return datasets(key, {});
      })) },
      options: {
        animation: false, maintainAspectRatio: false,
        scales: { y: { min: 0, max: 100 } },
        plugins: { legend: { labels: { filter: notPartial } } },
      },
    });
  }

  document.querySelectorAll("canvas.tile-trend").forEach(function (tile) {
    const key = tile.dataset.metric;
    if (!trend.series[key]) return;
    new Chart(tile, {
      type: "line",
      data: { labels: labels, datasets: datasets(key, { pointRadius: 1.5, borderWidth: 1.5 }) },
      options: {
        animation: false, maintainAspectRatio: false,
        scales: { x: { display: false }, y: { display: false, min: 0, max: 100 } },
        plugins: { legend: { display: false }, tooltip: { enabled: true } },
      },
    });
  });
})();
