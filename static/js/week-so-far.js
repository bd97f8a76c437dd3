/* A weekly series whose week at index `partial` is not over, split for drawing: the whole weeks (the
 * partial week left out) and "this week so far" (the partial week, joined to the last whole week with a
 * figure), so a week only begun never reads as a fall. Used by dashboard.js and adherence-chart.js. */
window.weekSoFar = (function () {
  "use strict";
  const whole = function (values, partial) {
    return values.map(function (value, index) { return index === partial ? null : value; });
  };
  const soFar = function (values, partial) {
    const result = values.map(function () { return null; });
    if (partial === null || partial === undefined || values[partial] === null) return result;
    result[partial] = values[partial];
    for (let index = partial - 1; index >= 0; index -= 1) {
      if (values[index] !== null) { result[index] = values[index]; break; }
    }
    return result;
  };
  const label = function (labels, partial) {
    return labels.map(function (text, index) { return index === partial ? interpolate(gettext("%(week)s (so far)"), { week: text }, true) : text; });
  };
  return { whole: whole, soFar: soFar, label: label };
})();
