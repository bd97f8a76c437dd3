/* Keyboard-first screening entry: typing a digit answers the focused item and moves on,
   so a paper form can be keyed in without the mouse; running totals update as you go.
   The item being answered is highlighted and kept in the middle of the screen. Where the page has
   them (the clinician's entry page), a sticky bar says where you are ("Item 12 of 50", the
   instrument's running total) and a summary above the save button lists the items not answered,
   saying when a total will be prorated; the save button then names and confirms the gap. */
(function () {
  "use strict";

  const form = document.querySelector("form.screening-entry");
  if (!form) return;

  const items = Array.from(form.querySelectorAll("fieldset.item"));
  const instruments = Array.from(form.querySelectorAll("fieldset.instrument"));
  const saveButton = form.querySelector('button[type="submit"]');
  const progress = form.hasAttribute("data-entry-progress") ? form.querySelector("#entry-progress") : null;
  const summary = progress ? form.querySelector("#missing-summary") : null;
  const MULTI_DIGIT_WAIT_MS = 700;
  let pending = { item: null, digits: "", at: 0 };
  let current = null;

  function radios(item) {
    return Array.from(item.querySelectorAll('input[type="radio"]'));
  }

  function answered(item) {
    return radios(item).some(function (radio) { return radio.checked; });
  }

  function instrumentOf(item) {
    return item.closest("fieldset.instrument");
  }

  function totalOf(instrument) {
    let total = 0;
    instrument.querySelectorAll('input[type="radio"]:checked').forEach(function (radio) {
      total += Number(radio.dataset.score);
    });
    return total;
  }

  function updateTotals() {
    instruments.forEach(function (instrument) {
      const output = instrument.querySelector("output.running-total");
      if (output) output.value = String(totalOf(instrument));
    });
  }

  /* The items of one instrument left blank, and whether its definition would prorate over them:
     every blank is among the items it may impute, and there are no more than it allows
     (the data attributes come from the instrument's definition, as the scorer reads it). */
  function blanks(instrument) {
    const own = items.filter(function (item) { return instrumentOf(item) === instrument; });
    const missing = own.filter(function (item) { return !answered(item); });
    const imputable = (instrument.dataset.prorateItems || "").split(" ").filter(Boolean);
    const limit = Number(instrument.dataset.maxProratedMissing || "0");
    const prorated = missing.length > 0 && missing.length <= limit && missing.every(function (item) {
      return imputable.indexOf(item.dataset.item) !== -1;
    });
    return { own: own, missing: missing, prorated: prorated };
  }

  // A translated sentence with its values in place (the djangojs catalogue's interpolate).
  function say(format, values) {
    return interpolate(format, values, true);
  }

  function set(name, text) {
    const element = progress.querySelector('[data-progress="' + name + '"]');
    if (element) element.textContent = text;
    return element;
  }

  function updateProgress() {
    if (!progress) return;
    const index = current ? items.indexOf(current) : 0;
    const instrument = instrumentOf(items[index] || items[0]);
    const done = items.filter(answered).length;
    const own = items.filter(function (item) { return instrumentOf(item) === instrument; });
    set("current", String(index + 1));
    set("within", say(gettext("%(code)s item %(number)s of %(count)s"), {
      code: instrument.dataset.instrument, number: own.indexOf(items[index] || items[0]) + 1, count: own.length,
    }));
    set("instrument", instrument.dataset.instrument);
    set("total", String(totalOf(instrument)));
    const range = instrument.querySelector("output.running-total + span");
    if (range) set("range", range.dataset.range);
    set("answered", String(done));
    progress.querySelector('[data-progress="bar"]').value = done;
    // Items above the current one left blank, per instrument: "2 skipped: PHQ-9 items 3, 6".
    const skipped = items.slice(0, index).filter(function (item) { return !answered(item); });
    const byInstrument = [];
    skipped.forEach(function (item) {
      const code = instrumentOf(item).dataset.instrument;
      const last = byInstrument[byInstrument.length - 1];
      if (last && last.code === code) last.numbers.push(item.dataset.item);
      else byInstrument.push({ code: code, numbers: [item.dataset.item] });
    });
    const groups = byInstrument.map(function (group) {
      return say(ngettext("%(code)s item %(numbers)s", "%(code)s items %(numbers)s", group.numbers.length), {
        code: group.code, numbers: group.numbers.join(", "),
      });
    }).join("; ");
    const chip = set("skipped", skipped.length ? say(ngettext(
      "%(count)s skipped: %(items)s", "%(count)s skipped: %(items)s", skipped.length
    ), { count: skipped.length, items: groups }) : "");
    chip.hidden = skipped.length === 0;
  }

  function itemLink(item) {
    const link = document.createElement("a");
    link.className = "alert-link";
    link.href = "#" + item.getAttribute("aria-labelledby");
    link.textContent = say(gettext("Item %(number)s: %(label)s"), { number: item.dataset.item, label: item.dataset.label });
    link.addEventListener("click", function (event) {
      event.preventDefault();
      focusItem(items.indexOf(item));
    });
    return link;
  }

  function updateSummary() {
    if (!summary) return;
    const list = summary.querySelector("[data-missing-list]");
    const heading = summary.querySelector("h2");
    list.replaceChildren();
    let prorated = [];
    let blankCount = 0;
    instruments.forEach(function (instrument) {
      const state = blanks(instrument);
      if (!state.missing.length) return;
      blankCount += state.missing.length;
      const code = instrument.dataset.instrument;
      const line = document.createElement("p");
      line.className = "mb-1";
      if (state.missing.length === state.own.length) {
        line.textContent = say(ngettext(
          "%(code)s: not started (%(count)s item).", "%(code)s: not started (%(count)s items).", state.own.length
        ), { code: code, count: state.own.length });
        list.append(line);
        return;
      }
      if (state.prorated) {
        prorated = prorated.concat(state.missing);
        const answeredCount = state.own.length - state.missing.length;
        line.textContent = say(ngettext(
          "%(code)s: the total is scaled up from the %(answered)s answered item to all %(count)s, as its scoring rules allow. Not answered:",
          "%(code)s: the total is scaled up from the %(answered)s answered items to all %(count)s, as its scoring rules allow. Not answered:",
          answeredCount
        ), { code: code, answered: answeredCount, count: state.own.length });
      } else {
        line.textContent = say(gettext("%(code)s: these must be answered before saving:"), { code: code });
      }
      const ul = document.createElement("ul");
      ul.className = "mb-2";
      state.missing.forEach(function (item) {
        const li = document.createElement("li");
        li.append(itemLink(item));
        ul.append(li);
      });
      list.append(line, ul);
    });
    summary.hidden = blankCount === 0;
    heading.textContent = blankCount === 0 ? "" : prorated.length === blankCount
      ? say(ngettext(
        "%(count)s item not answered: the total will be prorated",
        "%(count)s items not answered: the total will be prorated",
        blankCount
      ), { count: blankCount })
      : say(ngettext("%(count)s item not answered", "%(count)s items not answered", blankCount), { count: blankCount });
    if (prorated.length && prorated.length === blankCount) {
      // Saving now stores a prorated total: the button says so, and confirms exactly these items.
      saveButton.name = "missing_confirmed";
      saveButton.value = prorated.map(function (item) {
        return instrumentOf(item).dataset.instrument + ":" + item.dataset.item;
      }).join(" ");
      saveButton.textContent = say(ngettext(
        "Save with %(count)s item missing", "Save with %(count)s items missing", prorated.length
      ), { count: prorated.length });
    } else {
      saveButton.removeAttribute("name");
      saveButton.removeAttribute("value");
      saveButton.textContent = gettext("Save screening");
    }
  }

  function update() {
    updateTotals();
    updateProgress();
    updateSummary();
  }

  function markCurrent(item) {
    if (current === item) return;
    if (current) current.classList.remove("item-current");
    current = item;
    if (current) current.classList.add("item-current");
    updateProgress();
  }

  function centre(element) {
    // The middle of the screen, not its edge: the items around stay visible, the sticky bar clear.
    // At once, not smoothly (Bootstrap's default): a fast typist is items ahead of any animation.
    element.scrollIntoView({ block: "center", behavior: "instant" });
  }

  function nearEdge(element) {
    const box = element.getBoundingClientRect();
    return box.top < window.innerHeight * 0.25 || box.bottom > window.innerHeight * 0.75;
  }

  function focusItem(index, opening) {
    if (index >= items.length) {
      centre(summary && !summary.hidden ? summary : saveButton);
      saveButton.focus({ preventScroll: true });
      return;
    }
    const options = radios(items[index]);
    const target = options.find(function (radio) { return radio.checked; }) || options[0];
    markCurrent(items[index]);
    target.focus({ preventScroll: true });
    // Opening the page leaves the heading in sight unless the item is out of the way.
    if (!opening || nearEdge(items[index])) centre(items[index]);
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

  form.addEventListener("focusin", function (event) {
    const item = event.target.closest("fieldset.item");
    if (!item) return;
    markCurrent(item);
    // Tab and arrow keys: bring the item to the middle when it sits near an edge (a click leaves
    // the page where it is).
    if (event.target.matches(":focus-visible") && nearEdge(item)) centre(item);
  });

  // The server asked to confirm a prorated total: shown before update() redraws the summary.
  const serverAsked = Boolean(summary && !summary.hidden);
  form.addEventListener("change", update);
  if (progress) progress.hidden = false;
  update();

  const firstError = form.querySelector("fieldset.item.border-danger");
  if (firstError) {
    focusItem(items.indexOf(firstError));
  } else if (serverAsked) {
    // Show the list of blank items and the button that confirms them.
    centre(summary);
    summary.focus({ preventScroll: true });
  } else if (items.length) {
    focusItem(0, true);
  }
})();
