// The what-if page of `sim serve`. State lives in S; the server judges, the page draws.
// Hooks for tests: input[type=range][data-param], tr[data-target][data-status],
// document.body.dataset.ready ("0" while an update runs, "1" when it is drawn).
"use strict";

const STEPS = 60;          // slider positions; a sweep judges all of them in one request
const S = {
  meta: null, base: {}, params: {}, baseline: null, current: null, chosen: null,
  session: Math.random().toString(36).slice(2), runCtrl: null, batchCtrl: null,
  leverCtrl: null, leverTimer: null, sweeps: {}, batch: null, latencies: [], t0: null,
  statuses: {},
};
window.__whatif = S;  // for the benchmark and the curious

const $ = (sel, el = document) => el.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "dataset") Object.assign(e.dataset, v);
    else if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
};

function fmt(x, digits = 5) {
  if (x === null || x === undefined) return "–";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-3) return x.toExponential(3);
  if (a >= 1000) return x.toLocaleString("en", { maximumFractionDigits: 0 });
  return x.toLocaleString("en", { maximumSignificantDigits: digits });
}
const pct = (x) => (x === null || x === undefined ? "" : `${x >= 0 ? "+" : ""}${(100 * x).toFixed(2)} %`);

async function api(path, body, ctrl) {
  const r = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: ctrl ? ctrl.signal : undefined,
  });
  const kind = r.headers.get("Content-Type") || "";
  if (!r.ok) {
    let msg = `${r.status}`;
    try { msg = (await r.json()).error; } catch (e) { /* not JSON */ }
    const err = new Error(msg); err.status = r.status; throw err;
  }
  return kind.includes("json") ? r.json() : r.text();
}

function message(text, note = false) {
  const m = $("#message");
  m.hidden = !text; m.textContent = text || ""; m.className = note ? "note" : "";
}

// -- URL: the changed parameters and the chosen variable ---------------------------------
function readHash() {
  const out = {}; let chosen = null; const unknown = [];
  const known = new Set(S.meta.parameters.map((p) => p.name));
  for (const part of location.hash.replace(/^#/, "").split("&")) {
    if (!part) continue;
    const [k, v] = part.split("=").map(decodeURIComponent);
    if (k === "var") { chosen = v; continue; }
    const x = Number(v);
    if (!known.has(k) || v === "" || !Number.isFinite(x)) { unknown.push(k); continue; }
    out[k] = x;
  }
  if (unknown.length) message(`Ignored in the address: ${unknown.join(", ")} (not a parameter with a range, or not a number).`);
  return { params: out, chosen };
}
function writeHash() {
  const parts = Object.entries(S.params).map(([k, v]) => `${encodeURIComponent(k)}=${String(v)}`);
  if (S.chosen !== S.defaultChosen) parts.push(`var=${encodeURIComponent(S.chosen)}`);
  history.replaceState(null, "", parts.length ? `#${parts.join("&")}` : location.pathname);
}

// -- building the page ------------------------------------------------------------------
function buildControls() {
  const bySector = {};
  for (const p of S.meta.parameters) (bySector[p.sector] ||= []).push(p);
  const box = $("#sectors");
  for (const [sector, title] of Object.entries(S.meta.sectors)) {
    const list = bySector[sector];
    if (!list) continue;
    const d = el("details", { class: "sector", open: "" },
      el("summary", {}, `${title} `, el("span", { class: "n" }, `(${list.length})`)));
    for (const p of list) d.append(buildControl(p));
    box.append(d);
  }
}

function buildControl(p) {
  const step = (p.high - p.low) / STEPS;
  const range = el("input", {
    type: "range", min: String(p.low), max: String(p.high), step: String(step),
    value: String(p.value), "aria-label": p.name, dataset: { param: p.name },
  });
  const exact = el("input", { class: "exact", type: "text", inputmode: "decimal", value: String(p.value),
    "aria-label": `${p.name} exact value`, dataset: { exact: p.name } });
  const reset = el("button", { type: "button", class: "reset", title: "Reset to the scenario's value",
    "aria-label": `reset ${p.name}` }, "↺");
  const note = el("div", { class: "note" });
  const box = el("div", { class: "control", title: p.source, dataset: { control: p.name } },
    el("div", { class: "row1" },
      el("span", { class: "name" }, p.name),
      p.kind === "lever" ? el("span", { class: "kind", title: `lever of ${p.lever_of.join(", ")}` }, "lever") : "",
      exact, el("span", { class: "unit" }, p.unit || ""), reset),
    el("div", { class: "row2" }, el("span", {}, fmt(p.low)), range, el("span", {}, fmt(p.high))),
    note);
  const show = () => { $("#source-line").textContent = `${p.name}: ${p.source || "no source given"}`; };
  box.addEventListener("mouseenter", () => { show(); prefetch(p.name); });
  box.addEventListener("focusin", () => { show(); prefetch(p.name); });
  range.addEventListener("pointerdown", () => prefetch(p.name));
  range.addEventListener("input", () => onSlide(p, range));
  exact.addEventListener("change", () => onExact(p, exact));
  exact.addEventListener("keydown", (e) => { if (e.key === "Enter") onExact(p, exact); });
  reset.addEventListener("click", () => { delete S.params[p.name]; syncControl(p.name); update(); });
  return box;
}

const EVIDENCE = {
  identity: "met or missed by the plan's own arithmetic once its assumption is granted",
  scheduled: "depends on an assumed schedule, budget or land",
  modelled: "emerges from the model's feedback dynamics",
};

function buildTable() {
  const body = $("#verdicts tbody");
  let sector = null;
  for (const t of S.meta.targets) {
    if (t.sector !== sector) {
      sector = t.sector;
      body.append(el("tr", { class: "sector-row" }, el("td", { colspan: "7" }, S.meta.sectors[sector] || sector)));
    }
    const sym = t.comparator === ">=" ? "≥" : "≤";
    body.append(el("tr", { dataset: { target: t.id, status: "" } },
      el("td", { class: "target", title: t.title }, el("span", { class: "t" }, t.title),
        el("span", { class: "id" }, t.id, el("span", { class: `evidence ${t.evidence}`, title: EVIDENCE[t.evidence] || "" }, t.evidence))),
      el("td", { class: "num" }, `${sym} ${fmt(t.threshold)} ${t.unit}`),
      el("td", { class: "num value" }),
      el("td", {}, el("span", { class: "badge" })),
      el("td", { class: "num margin" }),
      el("td", { class: "lever" }, t.lever ? "…" : "–"),
      el("td", { class: "p" })));
  }
}

function buildGraphs() {
  const box = $("#graphs");
  S.charts = {};
  for (const t of S.meta.targets.filter((x) => x.headline)) {
    const div = el("div", { class: "graph", id: `g-${t.id}`, dataset: { graph: t.id } });
    box.append(div);
    S.charts[t.id] = Chart.create(div, t.title, S.meta.units[t.variable]);
  }
  const chosen = el("div", { class: "graph", id: "g-chosen", dataset: { graph: "chosen" } });
  box.append(chosen);
  const sel = $("#chosen");
  for (const v of S.meta.variables) sel.append(el("option", { value: v }, v));
  sel.value = S.chosen;
  const make = () => { S.charts.chosen = Chart.create(chosen, S.chosen, S.meta.units[S.chosen]); };
  make();
  sel.addEventListener("change", () => { S.chosen = sel.value; S.sweeps = {}; S.baseline = null; make(); update(); });
}

// -- moving a control -------------------------------------------------------------------
function syncControl(name) {
  const p = S.meta.parameters.find((q) => q.name === name);
  const v = name in S.params ? S.params[name] : p.value;
  const box = document.querySelector(`[data-control="${CSS.escape(name)}"]`);
  $("input[type=range]", box).value = String(v);
  const exact = $("input.exact", box);
  exact.value = String(v); exact.classList.remove("bad");
  box.classList.toggle("changed", name in S.params);
  $(".note", box).textContent = (v < p.low || v > p.high) ? `outside the assumed range ${fmt(p.low)} to ${fmt(p.high)}` : "";
}

function sweepKey(name) {
  const others = Object.entries(S.params).filter(([k]) => k !== name).sort();
  return JSON.stringify([others, S.chosen]);
}

function grid(p) {
  const out = [];
  for (let i = 0; i <= STEPS; i++) out.push(i === STEPS ? p.high : p.low + (i * (p.high - p.low)) / STEPS);
  return out;
}

function prefetch(name) {
  const key = sweepKey(name);
  const have = S.sweeps[name];
  if (have && have.key === key) return have.promise;
  const p = S.meta.parameters.find((q) => q.name === name);
  const values = grid(p);
  const others = Object.fromEntries(Object.entries(S.params).filter(([k]) => k !== name));
  const entry = { key, values, runs: null };
  entry.promise = api("/api/sweep", { parameters: others, name, values, variables: [S.chosen],
    session: `${S.session}:sweep` })
    .then((r) => { entry.runs = r.runs; return entry; })
    .catch(() => { if (S.sweeps[name] === entry) delete S.sweeps[name]; return null; });
  S.sweeps[name] = entry;
  return entry.promise;
}

function fromSweep(p, v) {
  const entry = S.sweeps[p.name];
  if (!entry || entry.key !== sweepKey(p.name)) return null;
  const i = Math.round(((v - p.low) / (p.high - p.low)) * STEPS);
  if (i < 0 || i > STEPS || Math.abs(v - entry.values[i]) > 1e-9 * (p.high - p.low)) return null;
  return { entry, i };
}

function onSlide(p, range) {
  started();
  const v = Number(range.value);
  const hit = fromSweep(p, v);
  if (hit) {
    S.params[p.name] = hit.entry.values[hit.i];
    syncExact(p);
    if (hit.entry.runs) { abortRun(); cancelBatch(); show(hit.entry.runs[hit.i]); return; }
    const move = S.move;
    abortRun(); cancelBatch();
    hit.entry.promise.then((e) => {
      if (S.move !== move) return;  // something moved since: that update draws
      if (e && e.runs) show(e.runs[hit.i]); else update(true);
    });
    return;
  }
  S.params[p.name] = v;
  syncExact(p);
  update(true);
}

function syncExact(p) {
  const box = document.querySelector(`[data-control="${CSS.escape(p.name)}"]`);
  const exact = $("input.exact", box);
  exact.value = String(S.params[p.name]); exact.classList.remove("bad");
  box.classList.add("changed");
  const v = S.params[p.name];
  $(".note", box).textContent = (v < p.low || v > p.high) ? `outside the assumed range ${fmt(p.low)} to ${fmt(p.high)}` : "";
}

function onExact(p, input) {
  const text = input.value.trim();
  const v = Number(text);
  if (text === "" || !Number.isFinite(v)) {
    input.classList.add("bad");
    message(`${p.name}: "${text}" is not a number.`);
    return;
  }
  if (S.params[p.name] === v || (!(p.name in S.params) && v === p.value)) { input.classList.remove("bad"); return; }
  message("");
  started();
  S.params[p.name] = v;
  syncControl(p.name);
  update(true);
}

function started() {
  S.move = (S.move || 0) + 1;
  S.t0 = performance.now();
  document.body.dataset.ready = "0";
  clearTimeout(S.leverTimer);
}

function abortRun() { if (S.runCtrl) { S.runCtrl.abort(); S.runCtrl = null; } }

// -- running and drawing ----------------------------------------------------------------
async function update(timed = false) {
  if (!timed) started();
  abortRun(); cancelBatch();
  const ctrl = new AbortController(); S.runCtrl = ctrl;
  try {
    if (!S.baseline) {
      S.baseline = await api("/api/run", { parameters: {}, variables: [S.chosen], session: `${S.session}:base` }, ctrl);
    }
    const r = Object.keys(S.params).length
      ? await api("/api/run", { parameters: S.params, variables: [S.chosen], session: S.session }, ctrl)
      : S.baseline;
    if (S.runCtrl !== ctrl) return;
    S.runCtrl = null;
    show(r);
  } catch (e) {
    if (e.name === "AbortError" || e.status === 409) return;
    message(e.message);
    document.body.dataset.ready = "1";
  }
}

function show(r) {
  S.current = r;
  drawTable(r);
  drawGraphs();
  writeHash();
  const ms = performance.now() - S.t0;
  S.latencies.push(ms);
  document.body.dataset.ready = "1";
  document.body.dataset.latency = ms.toFixed(1);
  scheduleLevers();
}

function drawTable(r) {
  const c = r.counts;
  $("#summary").replaceChildren(
    el("span", { class: "count status-met" }, `${c.met} met`),
    el("span", { class: "count status-borderline" }, `${c.borderline} borderline`),
    el("span", { class: "count status-missed" }, `${c.missed} missed`));
  const byId = Object.fromEntries(S.meta.targets.map((t) => [t.id, t]));
  for (const v of r.verdicts) {
    const row = document.querySelector(`tr[data-target="${v.id}"]`);
    const t = byId[v.id];
    const was = row.dataset.status;
    row.dataset.status = v.status;
    row.cells[2].textContent = `${fmt(v.value)}`;
    row.cells[2].title = v.band === null ? "" : `± ${fmt(v.band)} ${t.unit} (error band)`;
    const badge = row.cells[3].firstChild;
    badge.textContent = v.status; badge.className = `badge status-${v.status}`;
    badge.title = `${t.evidence}: ${v.first_year_met ? `met ${v.first_year_met}` : "not met by " + t.year}${v.lost_year ? `, lost ${v.lost_year}` : ""}`;
    // a margin below a millionth of the threshold is rounding: the plan's arithmetic lands on it
    const nil = v.margin_relative !== null && Math.abs(v.margin_relative) < 1e-6;
    row.cells[4].textContent =
      v.margin === null ? "–" : nil ? "≈ 0" : `${v.margin >= 0 ? "+" : ""}${fmt(v.margin, 4)}`;
    row.cells[4].title = v.margin_relative === null ? "" : `${pct(v.margin_relative)} of the threshold`;
    row.cells[4].append(el("span", { class: "id" }, v.margin_relative === null ? "" : pct(v.margin_relative)));
    if (was && was !== v.status) { row.classList.remove("flipped"); void row.offsetWidth; row.classList.add("flipped"); }
    const lever = row.cells[5];
    if (t.lever) lever.classList.add("stale");
    row.cells[6].replaceChildren();
  }
}

function drawGraphs() {
  const cur = S.current.series, base = S.baseline.series;
  for (const t of S.meta.targets.filter((x) => x.headline)) {
    Chart.update(S.charts[t.id], cur[t.variable], base[t.variable], t, S.batch && S.batch.fans[t.id]);
  }
  Chart.update(S.charts.chosen, cur[S.chosen], base[S.chosen], null, null);
}

// -- levers: what would just meet each target (a second, slower request) -----------------
function scheduleLevers() {
  clearTimeout(S.leverTimer);
  if (S.leverCtrl) { S.leverCtrl.abort(); S.leverCtrl = null; }
  S.leverTimer = setTimeout(async () => {
    const ctrl = new AbortController(); S.leverCtrl = ctrl;
    const params = { ...S.params };
    try {
      const r = await api("/api/levers", { parameters: params, session: `${S.session}:levers` }, ctrl);
      if (S.leverCtrl !== ctrl) return;
      for (const [id, s] of Object.entries(r)) {
        const cell = document.querySelector(`tr[data-target="${id}"]`).cells[5];
        cell.classList.remove("stale");
        // a lever's value is a setting to type (a year reads 2018, not 2,018)
        const typed = Number.isInteger(s.value) ? String(s.value) : fmt(s.value);
        cell.textContent = s.status === "found" ? `${s.lever} ${s.side === ">=" ? "≥" : "≤"} ${typed}`
          : s.status === "always" ? "met across the lever's range" : s.status === "unreachable" ? "not within the lever's range" : "input";
        cell.title = s.text;
      }
    } catch (e) { /* superseded or aborted: the next update asks again */ }
  }, 1000);
}

// -- how likely? ------------------------------------------------------------------------
function cancelBatch() {
  if (S.batchCtrl) {
    S.batchCtrl.abort(); S.batchCtrl = null;
    api("/api/cancel", { session: `${S.session}:batch` }).catch(() => {});
    $("#batch-status").textContent = "cancelled: a control moved";
  }
  if (S.batch) { S.batch = null; }
}

async function runBatch() {
  cancelBatch();
  const n = Number($("#samples").value);
  const ctrl = new AbortController(); S.batchCtrl = ctrl;
  $("#batch-status").textContent = `running ${n.toLocaleString("en")} samples…`;
  document.body.dataset.batch = "running";
  const t0 = performance.now();
  try {
    const r = await api("/api/batch", { parameters: S.params, samples: n, session: `${S.session}:batch` }, ctrl);
    if (S.batchCtrl !== ctrl) return;
    S.batchCtrl = null; S.batch = r;
    $("#batch-status").textContent = `${r.samples.toLocaleString("en")} samples in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
    for (const p of r.probabilities) {
      const row = document.querySelector(`tr[data-target="${p.id}"]`);
      if (!row) continue;
      const bar = el("div", { class: "pbar", title: `P(met) ${(100 * p.p).toFixed(1)} %, 95 % interval ${(100 * p.lo).toFixed(1)}–${(100 * p.hi).toFixed(1)} %: ${p.label}` },
        el("div", { class: `fill ${p.label}`, style: `width:${100 * p.p}%` }),
        el("div", { class: "ci", style: `left:${100 * p.lo}%;width:${100 * (p.hi - p.lo)}%` }),
        el("span", { class: "txt" }, `${(100 * p.p).toFixed(0)} %`));
      row.cells[6].replaceChildren(bar);
      row.dataset.p = String(p.p);
    }
    drawGraphs();
    document.body.dataset.batch = "done";
  } catch (e) {
    if (e.name === "AbortError" || e.status === 409) { document.body.dataset.batch = "cancelled"; return; }
    $("#batch-status").textContent = "";
    document.body.dataset.batch = "error";
    message(e.message);
  }
}

// -- saving -----------------------------------------------------------------------------
async function download(path, name, body) {
  try {
    const text = await api(path, body);
    const a = el("a", { href: URL.createObjectURL(new Blob([text])), download: name });
    document.body.append(a); a.click(); a.remove();
  } catch (e) { message(e.message); }
}

// -- start ------------------------------------------------------------------------------
async function main() {
  try {
    S.meta = await api("/api/scenario");
  } catch (e) { message(`The server did not answer: ${e.message}`); return; }
  const m = S.meta;
  $("#scenario-name").textContent = m.scenario.name;
  $("#scenario-description").textContent = m.scenario.description;
  $("#scenario-description").title = m.scenario.description;
  document.title = `What if? ${m.scenario.name} — sdsim`;
  S.defaultChosen = m.variables.includes("resident_population") ? "resident_population" : m.variables[0];
  const fromUrl = readHash();
  S.params = fromUrl.params;
  S.chosen = fromUrl.chosen && m.variables.includes(fromUrl.chosen) ? fromUrl.chosen : S.defaultChosen;
  buildControls(); buildTable(); buildGraphs();
  for (const p of m.parameters) syncControl(p.name);
  if (!m.batch.available) {
    $("#run-batch").disabled = true;
    $("#batch-status").textContent = "no uncertainty declared for this scenario";
  }
  $("#run-batch").addEventListener("click", runBatch);
  $("#reset-all").addEventListener("click", () => {
    S.params = {}; for (const p of m.parameters) syncControl(p.name); update();
  });
  $("#save-toml").addEventListener("click", () =>
    download("/api/toml", `${m.scenario.name}-whatif.toml`, { parameters: S.params, name: `${m.scenario.name}-whatif` }));
  $("#save-csv").addEventListener("click", () =>
    download("/api/csv", `${m.scenario.name}-whatif-trajectories.csv`, { parameters: S.params }));
  $("#copy-link").addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(location.href); message("Link copied: it restores every slider.", true); }
    catch (e) { message(`Copy this address: ${location.href}`, true); }
  });
  $("#filter").addEventListener("input", (e) => {
    const q = e.target.value.toLowerCase();
    for (const c of document.querySelectorAll(".control")) c.hidden = q && !c.dataset.control.toLowerCase().includes(q);
  });
  update();
}
main();
