// Trappetrin – the Scenarie page's movers list, recomputed in the browser while the server reruns.
//
// The server's movers (trappetrin.scenario.movers) are what the list shows. So that a threshold
// change shows its result at once, this module also holds a copy of the rule engine
// (trappetrin/engine.py) and recomputes the movers from the values the parameter inputs hold the
// moment a change is committed (Enter, a step button, an arrow key, leaving the field). The
// server's list replaces it when it arrives; tests/unit/test_movers_parity.py checks that the two
// agree. The data comes from trappetrin.preview.engine_payload: no values of departments under
// the discretion limit.
//
// One component, two instances: mode "engine" (drawn once per page run, outside the fragment)
// holds the payload; mode "movers" (in the fragment) draws the count line and the table.

const SHARED = (globalThis.__trappetrinMovers ??= { engines: new Map(), view: null, listening: false });
const DECIMALS = 9; // engine.py _DECIMALS

// --- numbers ------------------------------------------------------------------------------

/** numpy's round(x, 9): scale, round half to even, scale back. */
export function round9(x) {
  const y = x * 10 ** DECIMALS;
  let r = Math.round(y);
  if (Math.abs(y % 1) === 0.5 && r % 2 !== 0) r -= 1;
  return r / 10 ** DECIMALS;
}

/** trappetrin.formatting.short: decimal comma, thousands dot, trailing zeros dropped, ties away
 * from zero on the shortest decimal form (2,675 → 2,68), minus as U+2212, "–" for a missing value. */
export function formatNumber(x, decimals = 2) {
  if (x === null || x === undefined || !Number.isFinite(Number(x))) return "–";
  x = Number(x);
  let [whole, frac = ""] = fixedHalfUp(Math.abs(x), decimals).split(".");
  const zero = /^0*$/.test(whole + frac);
  whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  frac = frac.replace(/0+$/, "");
  const out = frac ? `${whole},${frac}` : whole;
  return x < 0 && !zero ? `\u2212${out}` : out;
}

/** x ≥ 0 with ``decimals`` places, rounded half away from zero on its shortest decimal form
 * (what Python's repr writes, as trappetrin.formatting rounds). */
function fixedHalfUp(x, decimals) {
  const text = String(x);
  if (/e/i.test(text)) return x.toFixed(decimals); // below 1e-6 or above 1e21: not our numbers
  const [whole, frac = ""] = text.split(".");
  const padded = frac.padEnd(decimals + 1, "0");
  let kept = BigInt(whole + padded.slice(0, decimals));
  if (padded[decimals] >= "5") kept += 1n;
  const digits = kept.toString().padStart(decimals + 1, "0");
  return decimals > 0 ? `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}` : digits;
}

const SPACE = "[\\s\\u00a0\\u202f]";

/** The text without a trailing "%", with "−" as "-" and thousands spaces dropped; NaN when the spaces are wrong. */
function normalise(text) {
  let s = String(text).trim();
  if (s.endsWith("%")) s = s.slice(0, -1).trim();
  s = s.replace(/\u2212/g, "-");
  if (new RegExp(SPACE).test(s)) {
    // Inner spaces may only group thousands ("1 234,5"), never join digits ("12 5"), and no exponent.
    const head = s.match(new RegExp(`^[+-]?[\\d\\s\\u00a0\\u202f]*`))[0];
    if (new RegExp(SPACE).test(s.slice(head.length)) || /[eE]/.test(s)
        || !new RegExp(`^[+-]?\\d{1,3}(${SPACE}\\d{3})+$`).test(head)) return NaN;
    s = s.replace(new RegExp(`${SPACE}+`, "g"), "");
  }
  return s;
}

/** The normalised text with ``decimal`` as its decimal mark (the other mark groups thousands). */
function parseWith(s, decimal) {
  if (Number.isNaN(s)) return NaN;
  if (s === "") return null;
  const group = decimal === "," ? "." : ",";
  if (s.includes(group)) {
    const cut = s.indexOf(decimal);
    const integer = cut < 0 ? s : s.slice(0, cut), fraction = cut < 0 ? "" : s.slice(cut + 1);
    const grouped = new RegExp(`^\\d{1,3}(\\${group}\\d{3})+$`);
    if (fraction.includes(group) || /[eE]/.test(s) || !grouped.test(integer.replace(/^[+-]+/, ""))) return NaN;
    s = s.split(group).join("");
  }
  if (s.split(decimal).length > 2) return NaN;
  s = s.replace(decimal, ".");
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(s)) return NaN;
  const value = Number(s);
  return Number.isFinite(value) ? value : NaN;
}

/**
 * trappetrin.numbers.parse_number: ``12,5``, ``1.234,5``, ``12,5 %``, ``1,234.5``; ``decimal`` is
 * ",", "." or "auto" (both marks: the last is the decimal mark; a lone comma is one; a lone dot
 * is one unless it occurs twice). null for blank text, NaN when the text is not a number.
 */
export function parseNumber(text, decimal = "auto") {
  const s = normalise(text);
  if (Number.isNaN(s)) return NaN;
  if (decimal === "auto") {
    if (s.includes(",") && s.includes(".")) decimal = s.lastIndexOf(",") > s.lastIndexOf(".") ? "," : ".";
    else if (s.includes(",")) decimal = ",";
    else decimal = s.split(".").length <= 2 ? "." : ",";
  }
  return parseWith(s, decimal);
}

/**
 * trappetrin.numbers.parse_typed: what a Danish user types into a number field (``1,5`` and
 * ``1.5`` are 1.5). null for blank text, NaN when it is not one number (``1.500`` in a field
 * that takes decimals could be 1,5 or 1500, and is refused).
 */
export function parseTyped(text, integer = false) {
  const s = String(text).trim();
  if (/[eE]/.test(s)) return NaN;
  if (integer) {
    const value = parseNumber(s, ",");
    return Number.isNaN(value) ? parseNumber(s) : value;
  }
  let bare = s;
  if (bare.endsWith("%")) bare = bare.slice(0, -1).trim();
  if (/^[+-]?[1-9]\d{0,2}\.\d{3}$/.test(bare)) return NaN;
  return parseNumber(s);
}

// --- the engine (trappetrin/engine.py) ----------------------------------------------------

/** The rule set with scenario values: the same keys as RuleSet.parameters(). */
export function withOverrides(rules, params) {
  const cond = (key, c) => {
    if (!(key in params)) return c;
    return c.reference != null ? { ...c, factor: Number(params[key]) } : { ...c, value: Number(params[key]) };
  };
  return {
    ...rules,
    discretion: rules.discretion && "d.minimum" in params
      ? { ...rules.discretion, minimum: Number(params["d.minimum"]) } : rules.discretion,
    criteria_sets: rules.criteria_sets.map(s => ({
      ...s, criteria: s.criteria.map(c => cond(`c.${s.id}.${c.id}`, c)),
    })),
    rules: rules.rules.map(r => ({
      ...r,
      min_met: `k.${r.id}` in params ? Math.trunc(Number(params[`k.${r.id}`])) : r.min_met,
      gates: r.gates.map(g => cond(`g.${r.id}.${g.id}`, g)),
    })),
  };
}

/** Every editable number of a rule set, key → value (RuleSet.parameter_values). */
export function parameterValues(rules) {
  const out = {};
  if (rules.discretion) out["d.minimum"] = rules.discretion.minimum;
  for (const s of rules.criteria_sets) for (const c of s.criteria) out[`c.${s.id}.${c.id}`] = c.reference != null ? c.factor : c.value;
  for (const r of rules.rules) {
    if (r.criteria != null) out[`k.${r.id}`] = r.min_met;
    for (const g of r.gates) out[`g.${r.id}.${g.id}`] = g.reference != null ? g.factor : g.value;
  }
  return out;
}

/** Outcome, mask and every condition's evaluation per row (engine.classify). */
export function classify(engine, rules) {
  const n = engine.ids.length;
  const column = name => engine.values[name] ?? new Array(n).fill(null);
  const evaluate = (key, condition) => {
    const value = column(condition.indicator);
    let threshold;
    if (condition.reference != null) {
      const ref = engine.refs[condition.reference];
      threshold = Array.from({ length: n }, (_, i) => {
        const base = Array.isArray(ref) ? ref[i] : ref;
        return base === null ? NaN : round9(condition.factor * base);
      });
    } else {
      threshold = new Array(n).fill(condition.value);
    }
    const up = condition.op === ">" || condition.op === ">=";
    const strict = condition.op === ">" || condition.op === "<";
    const met = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = value[i];
      if (v === null || Number.isNaN(threshold[i])) { met[i] = false; continue; }
      const margin = round9(up ? v - threshold[i] : threshold[i] - v);
      met[i] = strict ? margin > 0 : margin >= 0;
    }
    return { key, indicator: condition.indicator, op: condition.op, value, threshold, met };
  };

  const masked = engine.masked.slice();
  if (rules.discretion) {
    const d = column(rules.discretion.indicator);
    for (let i = 0; i < n; i++) masked[i] = masked[i] || !(d[i] !== null && d[i] >= rules.discretion.minimum);
  }
  const conditions = [];
  const counts = {};
  for (const s of rules.criteria_sets) {
    const results = s.criteria.map(c => evaluate(`c.${s.id}.${c.id}`, c));
    conditions.push(...results);
    counts[s.id] = Array.from({ length: n }, (_, i) => results.reduce((k, r) => k + (r.met[i] ? 1 : 0), 0));
  }
  const outcome = new Array(n).fill(rules.default_outcome);
  const decided = masked.slice();
  for (const rule of rules.rules) {
    const ok = decided.map(d => !d);
    for (const gate of rule.gates) {
      const res = evaluate(`g.${rule.id}.${gate.id}`, gate);
      conditions.push(res);
      for (let i = 0; i < n; i++) ok[i] = ok[i] && res.met[i];
    }
    for (let i = 0; i < n; i++) {
      if (rule.criteria != null) ok[i] = ok[i] && counts[rule.criteria][i] >= rule.min_met;
      if (ok[i]) { outcome[i] = rule.outcome; decided[i] = true; }
    }
  }
  if (rules.discretion) for (let i = 0; i < n; i++) if (masked[i]) outcome[i] = rules.discretion.outcome;
  return { rules, outcome, masked, conditions };
}

/** Danish cause text of one mover (trappetrin.scenario.describe_causes). */
function describeCauses(engine, causes, changed, masked) {
  if (masked) return changed.includes("d.minimum") ? "Diskretionsgrænsen er ændret" : "Under diskretionsgrænsen";
  const parts = causes.map(c => {
    const info = engine.indicators[c.indicator] ?? { label: c.indicator, unit: "" };
    if (info.flag) { // a yes/no (the ministry's list): no thresholds to show
      return `${info.label}: ${c.value >= 1 ? "ja" : "nej"} (${c.metAfter ? "tæller nu med" : "tæller ikke længere med"})`;
    }
    const unit = info.unit === "%" ? " %" : "";
    const op = engine.ops[c.op];
    const state = c.metAfter ? "nu opfyldt" : "ikke længere opfyldt";
    return `${info.label} ${formatNumber(c.value)}${unit}: ${op} ${formatNumber(c.oldThreshold)} → ${op} ${formatNumber(c.newThreshold)} (${state})`;
  });
  if (!parts.length && changed.some(k => k.startsWith("k."))) parts.push("Krav til antal opfyldte kriterier er ændret");
  return parts.length ? parts.join("; ") : "Regelrækkefølgen giver et andet udfald";
}

/**
 * The movers between two parameter sets, as rows of the page's table
 * [id, name, organisation, from, to, cause], sorted as ui.scenario_view.movers_frame sorts them.
 */
export function movers(engine, beforeParams, afterParams) {
  const before = classify(engine, withOverrides(engine.rules, beforeParams));
  const after = classify(engine, withOverrides(engine.rules, afterParams));
  const b = parameterValues(before.rules), a = parameterValues(after.rules);
  const changed = Object.keys(b).filter(k => k in a && b[k] !== a[k]);
  const old = new Map(before.conditions.map(r => [r.key, r]));
  const label = code => engine.outcomes.labels[code] ?? code;
  const severity = engine.outcomes.severity;
  const rank = code => { const i = severity.indexOf(code); return i < 0 ? severity.length : i; };
  const rows = [];
  for (let i = 0; i < engine.ids.length; i++) {
    if (before.outcome[i] === after.outcome[i]) continue;
    const masked = before.masked[i] || after.masked[i];
    const causes = [];
    if (!masked) {
      for (const now of after.conditions) {
        const prev = old.get(now.key);
        if (!prev || prev.met[i] === now.met[i]) continue;
        causes.push({ indicator: now.indicator, op: now.op, value: now.value[i],
          oldThreshold: prev.threshold[i], newThreshold: now.threshold[i], metAfter: now.met[i] });
      }
    }
    rows.push({ sort: [rank(before.outcome[i]), rank(after.outcome[i]), engine.ids[i]],
      row: [engine.ids[i], engine.names[i], engine.organisations[i], label(before.outcome[i]),
        label(after.outcome[i]), describeCauses(engine, causes, changed, masked)] });
  }
  rows.sort((x, y) => x.sort[0] - y.sort[0] || x.sort[1] - y.sort[1] || (x.sort[2] < y.sort[2] ? -1 : x.sort[2] > y.sort[2] ? 1 : 0));
  return rows.map(r => r.row);
}

// --- the component ------------------------------------------------------------------------

function cell(tag, text) {
  const el = document.createElement(tag);
  el.textContent = text;
  return el;
}

/** The count line and the table (or the notice when nobody moves), replacing what is there. */
function draw(root, view, rows, total, source) {
  const box = root.querySelector(".tt-movers");
  box.dataset.source = source;
  box.querySelector(".tt-count strong").textContent = `${formatNumber(total, 0)} afdelinger skifter farve`;
  const empty = box.querySelector(".tt-empty");
  const scroll = box.querySelector(".tt-scroll");
  const more = box.querySelector(".tt-more");
  empty.hidden = total > 0;
  empty.textContent = view.emptyText;
  scroll.hidden = total === 0;
  const body = document.createElement("tbody");
  for (const [id, name, organisation, from, to, cause] of rows) {
    // Organisation under the department's name: five columns fit the narrow column at 1280 px.
    const tr = document.createElement("tr");
    tr.appendChild(cell("th", id)).scope = "row";
    const who = tr.appendChild(cell("td", name));
    who.appendChild(cell("span", organisation)).className = "tt-org";
    for (const text of [from, to, cause]) tr.appendChild(cell("td", text));
    body.appendChild(tr);
  }
  scroll.querySelector("tbody").replaceWith(body);
  more.hidden = rows.length >= total;
  more.textContent = `Vis alle ${formatNumber(total, 0)} (de første ${formatNumber(rows.length, 0)} vises)`;
}

/**
 * Current value of every parameter field on the page, read as the server reads it
 * (trappetrin.numbers.read_typed); null when one is blank, unreadable or out of range, which the
 * server refuses with a message. Structural parameters (choices, not typed) are the server's.
 */
function valuesOnPage(view) {
  const out = {};
  for (const [key, spec] of Object.entries(view.inputs)) {
    const input = spec.choice ? null : document.querySelector(`.${spec.cls} input`);
    if (!input) { out[key] = view.params[key]; continue; }
    const number = parseTyped(input.value, spec.integer);
    if (number === null || !Number.isFinite(number) || number < spec.min || (spec.max !== null && number > spec.max)
        || (spec.integer && !Number.isInteger(number))) return null;
    out[key] = number;
  }
  return out;
}

const same = (a, b) => Object.keys(a).length === Object.keys(b).length && Object.keys(a).every(k => a[k] === b[k]);

/** Show the movers for ``params``: the server's when they are for these values, else computed here. */
function show(view, params, all = false) {
  const engine = SHARED.engines.get(view.engine);
  if (same(params, view.params) && (!all || view.rows.length >= view.total)) {
    draw(view.root, view, view.rows, view.total, "server");
    return;
  }
  if (!engine) return; // nothing to compute with yet: the server's answer is on its way
  const rows = movers(engine, view.base, params);
  draw(view.root, view, all ? rows : rows.slice(0, view.maxRows), rows.length, "browser");
}

/** After a committed change of a parameter input: show its movers now, without waiting for the server. */
function onCommit() {
  const view = SHARED.view;
  if (!view || !view.root.isConnected) return;
  const params = valuesOnPage(view);
  if (params === null || same(params, view.shown)) return;
  view.shown = params;
  show(view, params);
}

function listen() {
  if (SHARED.listening) return;
  SHARED.listening = true;
  const isParameter = el => el instanceof Element && el.closest("[class*='st-key-p-']") !== null;
  const later = () => setTimeout(onCommit, 0); // after Streamlit's own handler has updated the input
  document.addEventListener("keydown", e => {
    if (isParameter(e.target) && (e.key === "Enter" || e.key === "ArrowUp" || e.key === "ArrowDown")) later();
  }, true);
  document.addEventListener("click", e => { if (isParameter(e.target) && e.target.closest("button")) later(); }, true);
  document.addEventListener("focusout", e => { if (isParameter(e.target)) later(); }, true);
}

export default function (component) {
  const { data, parentElement } = component;
  if (data.mode === "engine") {
    SHARED.engines.clear(); // one page, one release and rule set in view
    SHARED.engines.set(data.id, data.payload);
    if (SHARED.view && SHARED.view.engine === data.id && SHARED.view.root.isConnected) onCommit();
    return;
  }
  const view = {
    root: parentElement, engine: data.engine, params: data.params, base: data.base, inputs: data.inputs,
    rows: data.rows, total: data.total, maxRows: data.max_rows, emptyText: data.empty_text,
  };
  // The server has answered for data.params. Keep showing a newer change the user committed while
  // it worked (its own answer follows); otherwise show the server's list.
  const previous = SHARED.view;
  const onPage = data.error ? null : valuesOnPage(view);
  const pending = previous && previous.root === parentElement && previous.shown && onPage
    && same(previous.shown, onPage) && !same(onPage, data.params);
  view.shown = pending ? onPage : data.params;
  SHARED.view = view;
  listen();
  const more = parentElement.querySelector(".tt-more");
  more.onclick = () => show(view, view.shown, true);
  show(view, view.shown);
}
