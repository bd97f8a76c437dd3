/* Keyboard-first screening entry: typing a digit answers the focused item and moves on,
   so a paper form can be keyed in without the mouse; running totals update as you go. */
(function () {
  "use strict";

  const form = document.querySelector("form.screening-entry");
  if (!form) return;

  const items = Array.from(form.querySelectorAll("fieldset.item"));
  const MULTI_DIGIT_WAIT_MS = 700;
  let pending = { item: null, digits: "", at: 0 };

  function radios(item) {
    return Array.from(item.querySelectorAll('input[type="radio"]'));
  }

  function updateTotals() {
    form.querySelectorAll("fieldset.instrument").forEach(function (instrument) {
      let total = 0;
      instrument.querySelectorAll('input[type="radio"]:checked').forEach(function (radio) {
        total += Number(radio.dataset.score);
      });
      const output = instrument.querySelector("output.running-total");
      if (output) output.value = String(total);
    });
  }

  function focusItem(index) {
    if (index >= items.length) {
      form.querySelector('button[type="submit"]').focus();
      return;
    }
    const options = radios(items[index]);
    const target = options.find(function (radio) { return radio.checked; }) || options[0];
    target.focus();
    items[index].scrollIntoView({ block: "nearest" });
  }

  function choose(item, value) {
    const radio = radios(item).find(function (r) { return r.value === value; });
    if (!radio) return false;
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  function canExtend(item, digits) {
    // Another digit could still make a valid answer (e.g. "1" then "0" for 10).
    return radios(item).some(function (r) { return r.value.length > digits.length && r.value.startsWith(digits); });
  }

  form.addEventListener("keydown", function (event) {
    if (!/^[0-9]$/.test(event.key) || event.ctrlKey || event.metaKey || event.altKey) return;
    const item = event.target.closest("fieldset.item");
    if (!item || event.target.type !== "radio") return;
    event.preventDefault();
    const now = Date.now();
    const continuing = pending.item === item && now - pending.at < MULTI_DIGIT_WAIT_MS;
    const digits = continuing ? pending.digits + event.key : event.key;
    const index = items.indexOf(item);
    if (!choose(item, digits) && !continuing) return;
    if (canExtend(item, digits)) {
      pending = { item: item, digits: digits, at: now };
      return;
    }
    pending = { item: null, digits: "", at: 0 };
    focusItem(index + 1);
  });

  form.addEventListener("change", updateTotals);
  updateTotals();

  const firstError = form.querySelector("fieldset.item.border-danger");
  if (firstError) {
    focusItem(items.indexOf(firstError));
  } else if (items.length) {
    focusItem(0);
  }
})();
