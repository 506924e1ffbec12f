/* pasarela dashboard: draws the charts and keeps the page current.
 *
 * The server renders every number; this script fetches the same view as JSON from the page's
 * data-source every REFRESH_MS and writes it into the page (text only, never HTML), redraws the
 * charts with uPlot, and switches the window without a reload. */
"use strict";

(() => {
  const REFRESH_MS = 5000;
  const CHART_HEIGHT = 200;
  // Buckets are whole minutes or hours: ticks too, never ":15" seconds on a few minutes' chart.
  const TIME_TICKS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  const root = document.querySelector("main[data-source]");
  const initial = document.getElementById("dashboard-data");
  if (!root || !initial) return;

  const status = document.querySelector("[data-refresh-status]");
  const charts = new Map(); // chart box element -> {plot, key}
  let windowName = root.dataset.window;
  let latest = 0; // the number of the newest refresh; older answers are dropped
  let timer = null;

  const signIn = () => {
    const here = window.location.pathname + window.location.search;
    window.location.assign(`/ui/login?next=${encodeURIComponent(here)}`);
  };

  const el = (tag, text) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  };

  function setStatus(text, failed) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("failed", failed);
  }

  function renderShares(card, shares) {
    const bar = card.querySelector("[data-share-bar]");
    if (bar) {
      bar.replaceChildren(...shares.map((s) => {
        const part = el("span");
        part.style.width = `${s.percent}%`;
        part.style.background = s.color;
        part.title = `${s.label} ${s.text}`;
        return part;
      }));
    }
    const list = card.querySelector("[data-share-list]");
    if (!list) return;
    if (!shares.length) {
      const none = el("li", "no traffic in this window");
      none.className = "muted";
      list.replaceChildren(none);
      return;
    }
    list.replaceChildren(...shares.map((s) => {
      const item = el("li");
      const swatch = el("i");
      swatch.style.background = s.color;
      item.append(swatch, `${s.label} ${s.text}`);
      return item;
    }));
  }

  function renderVersions(card, versions) {
    const body = card.querySelector("[data-versions]");
    if (!body) return;
    if (!versions.length) {
      const cell = el("td", "no traffic in this window");
      cell.className = "muted";
      cell.colSpan = Number(body.dataset.columns);
      const row = el("tr");
      row.append(cell);
      body.replaceChildren(row);
      return;
    }
    body.replaceChildren(...versions.map((v) => {
      const row = el("tr");
      row.dataset.version = v.label;
      row.append(...v.cells.map((text) => el("td", text)));
      return row;
    }));
  }

  function renderBreakers(card, breakers) {
    const body = card.querySelector("[data-breakers]");
    if (!body || !breakers) return;
    body.replaceChildren(...breakers.map((b) => {
      const row = el("tr");
      row.dataset.breaker = b.label;
      row.dataset.state = b.state;
      row.append(...b.cells.map((text) => el("td", text)));
      return row;
    }));
  }

  // One line per series, from zero; what differs between the charts is passed in `look`.
  function lineOptions(width, chart, look) {
    return {
      width,
      height: CHART_HEIGHT,
      series: [
        {},
        ...chart.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          fill: look.fill ? look.fill(s) : undefined,
          points: { show: look.points(chart), size: look.pointSize },
          value: (u, v) => (v == null ? "—" : look.value(v)),
        })),
      ],
      scales: { y: { range: (u, min, max) => [0, Math.max(1, max * look.headroom)] } },
      axes: [{ incrs: TIME_TICKS }, { size: look.axisSize }],
    };
  }

  function chartOptions(width, chart) {
    return lineOptions(width, chart, {
      fill: (s) => (s.kind === "errors" ? "rgba(220, 38, 38, 0.08)" : undefined),
      // dots where few buckets are shown, so a fresh endpoint's first minutes read clearly
      points: (c) => c.x.length <= 30,
      pointSize: 5,
      value: (v) => v.toLocaleString(),
      headroom: 1,
      axisSize: 50,
    });
  }

  // p50/p95/p99 in ms; buckets without requests are gaps, single points are drawn as dots.
  function latencyOptions(width, chart) {
    return lineOptions(width, chart, {
      points: () => true,
      pointSize: 4,
      value: (v) => `${v.toFixed(v < 10 ? 2 : 1)} ms`,
      headroom: 1.1,
      axisSize: 60,
    });
  }

  function drawChart(box, chart, options) {
    if (!box || !chart || typeof uPlot === "undefined") return;
    const data = [chart.x, ...chart.series.map((s) => s.values)];
    const key = chart.series.map((s) => `${s.label} ${s.color}`).join("\n");
    box.dataset.points = String(chart.x.length);
    const known = charts.get(box);
    if (known && known.key === key) {
      known.plot.setData(data);
      return;
    }
    if (known) known.plot.destroy();
    box.replaceChildren();
    const plot = new uPlot(options(box.clientWidth || 600, chart), data, box);
    charts.set(box, { plot, key });
  }

  function renderChart(card, view) {
    drawChart(card.querySelector("[data-chart]"), view.chart, chartOptions);
    drawChart(card.querySelector("[data-latency-chart]"), view.latency_chart, latencyOptions);
  }

  function render(page) {
    const cards = new Map(
      [...document.querySelectorAll("[data-endpoint]")].map((c) => [c.dataset.endpoint, c]),
    );
    const names = page.endpoints.map((e) => e.name);
    const changed = names.length !== cards.size || names.some((n) => !cards.has(n));
    if (root.dataset.page === "overview" && changed) {
      window.location.reload(); // an endpoint came or went: let the server lay out the cards
      return;
    }
    for (const view of page.endpoints) {
      const card = cards.get(view.name);
      if (!card) continue;
      for (const field of card.querySelectorAll("[data-field]")) {
        const text = view.fields[field.dataset.field];
        if (text !== undefined) field.textContent = text;
      }
      renderShares(card, view.shares);
      renderVersions(card, view.versions);
      renderBreakers(card, view.breakers);
      renderChart(card, view);
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, REFRESH_MS);
  }

  async function refresh() {
    const mine = ++latest;
    clearTimeout(timer);
    if (document.hidden) return; // resumed by visibilitychange
    try {
      const url = `${root.dataset.source}?window=${encodeURIComponent(windowName)}`;
      const reply = await fetch(url, { cache: "no-store", headers: { accept: "application/json" } });
      if (mine !== latest) return;
      if (reply.status === 401) return signIn(); // the session ended: sign in again
      if (reply.status === 404) {
        setStatus("this endpoint is no longer served", true);
        return schedule();
      }
      if (!reply.ok) throw new Error(`HTTP ${reply.status}`);
      const page = await reply.json();
      if (mine !== latest) return;
      render(page);
      setStatus(`updated ${new Date().toLocaleTimeString()}`, false);
    } catch (err) {
      if (mine !== latest) return;
      setStatus(`refresh failed (${err.message}); retrying`, true);
    }
    schedule();
  }

  function choose(name) {
    windowName = name;
    root.dataset.window = name;
    for (const link of document.querySelectorAll("[data-window-choice]")) {
      if (link.dataset.windowChoice === name) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    }
    history.replaceState(null, "", `?window=${encodeURIComponent(name)}`);
    refresh();
  }

  for (const link of document.querySelectorAll("[data-window-choice]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      choose(link.dataset.windowChoice);
    });
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh();
  });

  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      for (const [box, { plot }] of charts) {
        plot.setSize({ width: box.clientWidth || 600, height: CHART_HEIGHT });
      }
    }, 150);
  });

  render(JSON.parse(initial.textContent));
  setStatus(`refreshes every ${REFRESH_MS / 1000} s`, false);
  schedule();
})();

/* The experiment page: the primary metric's effect (treatment − control) over time, each
 * treatment a line inside its always-valid confidence-sequence band, fetched from the page's
 * data-experiment-source; refetched every EXPERIMENT_REFRESH_MS while the experiment runs. */
(() => {
  const EXPERIMENT_REFRESH_MS = 15000;
  const CHART_HEIGHT = 260;
  const root = document.querySelector("main[data-experiment-source]");
  const box = root && root.querySelector("[data-effect-chart]");
  if (!box || typeof uPlot === "undefined") return;
  const status = document.querySelector("[data-refresh-status]");
  let plot = null;
  let key = "";

  const setStatus = (text, failed) => {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("failed", failed);
  };
  const shown = (v) => (v == null ? "—" : (v >= 0 ? "+" : "") + v.toPrecision(3));

  function effectOptions(width, chart) {
    const series = [{}];
    const bands = [];
    for (const s of chart.series) {
      const at = series.length;
      series.push(
        { label: `${s.label} effect`, stroke: s.color, width: 2, value: (u, v) => shown(v) },
        { label: "lower", stroke: s.color, width: 1, dash: [4, 4], value: (u, v) => shown(v) },
        { label: "upper", stroke: s.color, width: 1, dash: [4, 4], value: (u, v) => shown(v) },
      );
      bands.push({ series: [at + 2, at + 1], fill: `${s.color}22` });
    }
    return { width, height: CHART_HEIGHT, series, bands, axes: [{}, { size: 60 }] };
  }

  function draw(chart) {
    const data = [chart.x, ...chart.series.flatMap((s) => [s.effect, s.lower, s.upper])];
    const next = chart.series.map((s) => `${s.label} ${s.color}`).join("\n");
    if (plot && next === key) {
      plot.setData(data);
      return;
    }
    if (plot) plot.destroy();
    box.replaceChildren();
    key = next;
    plot = new uPlot(effectOptions(box.clientWidth || 600, chart), data, box);
  }

  async function load() {
    try {
      const reply = await fetch(root.dataset.experimentSource, {
        cache: "no-store",
        headers: { accept: "application/json" },
      });
      if (reply.status === 401) {
        const here = window.location.pathname + window.location.search;
        window.location.assign(`/ui/login?next=${encodeURIComponent(here)}`);
        return;
      }
      if (!reply.ok) throw new Error(`HTTP ${reply.status}`);
      const body = await reply.json();
      draw(body.chart);
      box.dataset.points = String(body.chart.x.length);
      setStatus(`updated ${new Date().toLocaleTimeString()}`, false);
      if (body.phase === "running") setTimeout(load, EXPERIMENT_REFRESH_MS);
    } catch (err) {
      setStatus(`chart failed (${err.message}); retrying`, true);
      setTimeout(load, EXPERIMENT_REFRESH_MS);
    }
  }

  window.addEventListener("resize", () => {
    if (plot) plot.setSize({ width: box.clientWidth || 600, height: CHART_HEIGHT });
  });
  load();
})();
