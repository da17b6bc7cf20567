// Small SVG line charts for the what-if page: a scenario against its baseline (dashed), the
// target as a diamond with a dotted threshold, and fan bands from a batch. Redrawing one is a
// few attribute changes (about a millisecond), where a general charting library took about
// 50 ms a graph on the 2-core machine the page is measured on.
"use strict";

const Chart = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const W = 320, H = 200, M = { l: 46, r: 16, t: 26, b: 22 };
  const node = (tag, attrs = {}, parent = null) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (parent) parent.append(e);
    return e;
  };

  function niceTicks(lo, hi, n = 4) {
    if (!(hi > lo)) { const d = Math.abs(lo) * 0.05 || 1; lo -= d; hi += d; }
    const raw = (hi - lo) / n, mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw);
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
    return { lo: Math.min(lo, ticks[0]), hi: Math.max(hi, ticks[ticks.length - 1]), ticks };
  }

  function tickText(v) {
    const a = Math.abs(v);
    if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
    if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
    return String(+v.toPrecision(4));
  }

  // Build the chart's fixed parts once; `update` moves them.
  function create(container, title, unit) {
    const svg = node("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": title });
    const head = node("text", { x: 6, y: 15, class: "chart-title" }, svg);
    const room = unit ? 38 - Math.min(unit.length, 14) : 46;
    head.textContent = title.length > room ? `${title.slice(0, room - 1)}…` : title;
    node("title", {}, head).textContent = title;
    const grid = node("g", { class: "grid" }, svg);
    const fans = [node("path", { class: "fan outer" }, svg), node("path", { class: "fan inner" }, svg)];
    const threshold = node("line", { class: "threshold" }, svg);
    const base = node("path", { class: "line base" }, svg);
    const now = node("path", { class: "line now" }, svg);
    const dots = node("g", { class: "dots" }, svg);
    const target = node("path", { class: "target" }, svg);
    const unitText = node("text", { x: W - 4, y: 15, class: "unit" }, svg);
    unitText.textContent = unit || "";
    container.replaceChildren(svg);
    return { svg, grid, fans, threshold, base, now, dots, target, dotList: [] };
  }

  // series: [years, values]; target: {year, threshold} or null; fan: {years, q: [5 quantiles]}.
  function update(c, now, base, target, fan) {
    const xs = [], ys = [];
    for (const s of [now, base]) if (s) { xs.push(...s[0]); ys.push(...s[1].filter((v) => v !== null)); }
    if (fan) { xs.push(...fan.years); for (const q of [fan.q[0], fan.q[4]]) ys.push(...q.filter((v) => v !== null)); }
    if (target) { xs.push(target.year); ys.push(target.threshold); }
    if (!xs.length) return;
    const x0 = Math.min(...xs), x1 = Math.max(...xs);
    const yr = niceTicks(Math.min(...ys), Math.max(...ys));
    const X = (x) => M.l + ((x - x0) / (x1 - x0 || 1)) * (W - M.l - M.r);
    const Y = (y) => H - M.b - ((y - yr.lo) / (yr.hi - yr.lo)) * (H - M.t - M.b);
    const key = `${x0},${x1},${yr.lo},${yr.hi}`;
    if (c.key !== key) {  // axes change only when the scale does
      c.key = key;
      c.grid.replaceChildren();
      for (const v of yr.ticks) {
        node("line", { x1: M.l, x2: W - M.r, y1: Y(v), y2: Y(v) }, c.grid);
        node("text", { x: M.l - 4, y: Y(v) + 3.5, class: "ytick" }, c.grid).textContent = tickText(v);
      }
      for (let x = Math.ceil(x0); x <= x1; x++) {
        node("text", { x: X(x), y: H - 7, class: "xtick" }, c.grid).textContent = String(x);
      }
    }
    const path = (s) => {
      if (!s) return "";
      let d = "", pen = "M";
      s[0].forEach((x, i) => {
        const y = s[1][i];
        if (y === null) { pen = "M"; return; }
        d += `${pen}${X(x).toFixed(1)},${Y(y).toFixed(1)}`; pen = "L";
      });
      return d;
    };
    c.now.setAttribute("d", path(now));
    c.base.setAttribute("d", path(base));
    while (c.dotList.length < (now ? now[0].length : 0)) c.dotList.push(node("circle", { r: 2.6 }, c.dots));
    c.dotList.forEach((dot, i) => {
      const ok = now && i < now[0].length && now[1][i] !== null;
      dot.setAttribute("visibility", ok ? "visible" : "hidden");
      if (ok) { dot.setAttribute("cx", X(now[0][i]).toFixed(1)); dot.setAttribute("cy", Y(now[1][i]).toFixed(1)); }
    });
    if (target) {
      const tx = X(target.year), ty = Y(target.threshold);
      c.target.setAttribute("d", `M${tx},${ty - 6}L${tx + 5},${ty}L${tx},${ty + 6}L${tx - 5},${ty}Z`);
      for (const [k, v] of Object.entries({ x1: M.l, x2: W - M.r, y1: ty, y2: ty })) c.threshold.setAttribute(k, v);
    }
    c.target.setAttribute("visibility", target ? "visible" : "hidden");
    c.threshold.setAttribute("visibility", target ? "visible" : "hidden");
    const band = (lo, hi) => {
      const up = fan.years.map((x, i) => `${X(x).toFixed(1)},${Y(hi[i]).toFixed(1)}`);
      const down = fan.years.map((x, i) => `${X(x).toFixed(1)},${Y(lo[i]).toFixed(1)}`).reverse();
      return `M${up.join("L")}L${down.join("L")}Z`;
    };
    const whole = fan && fan.q.every((q) => q.every((v) => v !== null));
    c.fans[0].setAttribute("d", whole ? band(fan.q[0], fan.q[4]) : "");
    c.fans[1].setAttribute("d", whole ? band(fan.q[1], fan.q[3]) : "");
  }

  return { create, update };
})();
