// The /explore page: one role's wages by area, from careerql's GraphQL API, drawn as inline SVG.
// No libraries: fetch, a few DOM helpers and an SVG built by hand keep the page small and offline.
"use strict";

const API = "/graphql";
const PAGE = 100;
const $ = (selector) => document.querySelector(selector);
const state = { rows: [], sortKey: "median", descending: true };

async function graphql(query, variables) {
  const response = await fetch(API, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data;
}

// Every page of a connection, following cursors.
async function all(query, variables, pick) {
  const nodes = [];
  let after = null;
  do {
    const connection = pick(await graphql(query, { ...variables, after }));
    nodes.push(...connection.nodes);
    after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
  } while (after);
  return nodes;
}

const ROLES = `query Roles($after: String) {
  roles(first: ${PAGE}, after: $after, orderBy: [{ field: TITLE }]) {
    pageInfo { hasNextPage endCursor }
    nodes { slug title curated }
  }
}`;

const RANGES = `query Ranges($role: String!, $period: PayPeriod!, $kinds: [AreaKind!], $after: String, $amount: Float!, $ranked: Boolean!) {
  salaryRanges(
    first: ${PAGE}, after: $after,
    filter: { role: { slug: { eq: $role } }, period: { eq: $period }, source: { eq: "BLS OEWS" }, city: { kind: { in: $kinds } } }
    orderBy: [{ field: MEDIAN, direction: DESC }]
  ) {
    pageInfo { hasNextPage endCursor }
    nodes {
      city { name state slug kind } p10 p25 median p75 p90 topCoded employment jobsPer1000 locationQuotient
      mean meanInterval { low high }
      percentileOf(amount: $amount) @include(if: $ranked) { percentile atLeast atMost method }
    }
  }
}`;

const COMPARE = `query Compare($role: String!, $other: String!, $cities: [String!]!, $period: PayPeriod!) {
  role(slug: $role) {
    title
    compareTo(role: $other, cities: $cities, period: $period) {
      other { title }
      skillsInBoth { skill { name } } skillsOnlyInThis { skill { name } } skillsOnlyInOther { skill { name } }
      toolsInBoth { tool { name } } toolsOnlyInThis { tool { name } } toolsOnlyInOther { tool { name } }
      wages { city { name slug } median sameOccupation }
    }
  }
}`;

const SOURCES = `{ sources { slug title publisher release attribution } }`;

const STATS = ["p10", "p25", "median", "p75", "p90"];
const TOP = { P10: "p10", P25: "p25", MEDIAN: "median", P75: "p75", P90: "p90", MEAN: "mean" };

function money(value, period) {
  if (value == null) return "—";
  const sign = value < 0 ? "−" : "", size = Math.abs(value);
  return period === "HOURLY" ? `${sign}$${size.toFixed(2)}` : `${sign}$${Math.round(size).toLocaleString("en-US")}`;
}

function number(value, digits) {
  return value == null ? "—" : value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

// A rank as people read it: "p63", or the bound when only a bound is known.
function rankText(rank) {
  if (!rank) return null;
  if (rank.percentile != null) return `p${Math.round(rank.percentile)}`;
  if (rank.method === "BELOW_P10") return "< p10";
  if (rank.method === "ABOVE_P90") return "> p90";
  return `p${Math.round(rank.atLeast)}–p${Math.round(rank.atMost)}`;
}

function row(node) {
  const topCoded = new Set(node.topCoded.map((s) => TOP[s]));
  const rank = node.percentileOf || null;
  return {
    area: node.city.name, state: node.city.state || "", slug: node.city.slug,
    p10: node.p10, p25: node.p25, median: node.median, p75: node.p75, p90: node.p90,
    employment: node.employment, jobsPer1000: node.jobsPer1000, locationQuotient: node.locationQuotient,
    mean: node.mean, meanLow: node.meanInterval && node.meanInterval.low, meanHigh: node.meanInterval && node.meanInterval.high,
    rank: rank ? (rank.percentile != null ? rank.percentile : (rank.atLeast + rank.atMost) / 2) : null,
    rankText: rankText(rank),
    topCoded,
  };
}

function sorted() {
  const { sortKey, descending } = state;
  const text = sortKey === "area" || sortKey === "state";
  return [...state.rows].sort((a, b) => {
    const x = a[sortKey], y = b[sortKey];
    // Missing values go last whichever way the column is sorted.
    if (x == null || y == null) return (x == null) - (y == null);
    const order = text ? String(x).localeCompare(String(y)) : x - y;
    return descending ? -order : order;
  });
}

const SVG = "http://www.w3.org/2000/svg";
function svg(name, attributes, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text != null) element.textContent = text;
  return element;
}

// Round axis ticks: a step of 1, 2, 2.5 or 5 times a power of ten, about `count` of them across [lo, hi].
function niceTicks(lo, hi, count) {
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const first = Math.floor(lo / step) * step, last = Math.ceil(hi / step) * step;
  const ticks = [];
  for (let v = first; v <= last + step / 2; v += step) ticks.push(Math.round(v * 100) / 100);
  return ticks;
}

function salary() {
  const value = Number($("#salary").value);
  return $("#salary").value !== "" && Number.isFinite(value) && value >= 0 ? Math.round(value * 100) / 100 : null;
}

function drawChart(rows, period) {
  const chart = $("#chart");
  chart.replaceChildren();
  const drawn = rows.filter((r) => r.p10 != null && r.p90 != null);
  // The right margin holds the salary ranks and the last tick's label.
  const labelWidth = 170, right = 48, rowHeight = 18, top = 24, width = 640;
  const height = top + drawn.length * rowHeight + 10;
  chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
  if (drawn.length === 0) {
    chart.append(svg("text", { x: 10, y: 20, class: "label" }, "No published wages for this selection."));
    return;
  }
  const amount = salary();
  const ends = drawn.flatMap((r) => [r.p10, r.p90, r.meanLow, r.meanHigh]).filter((v) => v != null);
  if (amount != null) ends.push(amount);
  const max = Math.max(...ends), min = Math.min(...ends);
  const ticks = niceTicks(Math.max(0, min), max > min ? max : min + 1, 4);
  const lo = ticks[0], hi = ticks[ticks.length - 1];
  const x = (v) => labelWidth + ((v - lo) / (hi - lo)) * (width - labelWidth - right);
  for (const value of ticks) {
    chart.append(svg("line", { x1: x(value), x2: x(value), y1: top - 6, y2: height, class: "grid" }));
    chart.append(svg("text", { x: x(value), y: 12, "text-anchor": "middle", class: "axis tick" }, money(value, period)));
  }
  drawn.forEach((r, i) => {
    const y = top + i * rowHeight;
    const g = svg("g", { class: "row", "data-slug": r.slug });
    g.append(svg("text", { x: labelWidth - 6, y: y + 12, "text-anchor": "end", class: "label" }, r.state ? `${r.area}, ${r.state}` : r.area));
    const bar = svg("rect", { x: x(r.p10), y: y + 3, width: Math.max(1, x(r.p90) - x(r.p10)), height: rowHeight - 6, class: "bar" });
    const tops = STATS.filter((s) => r.topCoded.has(s));
    bar.append(svg("title", {}, `${r.area}: p10 ${money(r.p10, period)}, median ${money(r.median, period)}, p90 ${money(r.p90, period)}${tops.length ? ` (top-coded: ${tops.join(", ")} are lower bounds)` : ""}`));
    g.append(bar);
    if (r.median != null) {
      g.append(svg("line", { x1: x(r.median), x2: x(r.median), y1: y + 1, y2: y + rowHeight - 1, class: "median" }));
    }
    if (r.topCoded.has("p90")) {
      g.append(svg("text", { x: x(r.p90) + 2, y: y + 13, class: "top" }, "▸"));
    }
    if (r.meanLow != null && r.meanHigh != null) {
      // The mean's 90% interval: a line with end caps along the bottom of the bar.
      const ey = y + rowHeight - 2;
      const bar = svg("g", { class: "error-bar" });
      bar.append(svg("line", { x1: x(r.meanLow), x2: x(r.meanHigh), y1: ey, y2: ey, class: "error-bar" }));
      for (const end of [r.meanLow, r.meanHigh]) bar.append(svg("line", { x1: x(end), x2: x(end), y1: ey - 2, y2: ey + 1, class: "error-bar" }));
      bar.append(svg("title", {}, `mean ${money(r.mean, period)}, 90% interval ${money(r.meanLow, period)} to ${money(r.meanHigh, period)}`));
      g.append(bar);
    }
    if (amount != null && r.rankText) {
      g.append(svg("text", { x: width - 2, y: y + 12, "text-anchor": "end", class: "salary-rank", "data-slug": r.slug }, r.rankText));
    }
    chart.append(g);
  });
  if (amount != null) {
    chart.append(svg("line", { x1: x(amount), x2: x(amount), y1: top - 6, y2: height, class: "salary" }));
  }
}

function drawTable(rows, period) {
  const body = $("#table tbody");
  body.replaceChildren();
  for (const r of rows) {
    const tr = document.createElement("tr");
    const cells = [
      [r.area], [r.state],
      ...STATS.map((s) => [money(r[s], period), r.topCoded.has(s)]),
      [number(r.employment, 0)], [number(r.jobsPer1000, 3)], [number(r.locationQuotient, 2)],
      [r.rankText || "—"],
    ];
    for (const [text, topCoded] of cells) {
      const td = document.createElement("td");
      td.textContent = topCoded ? `≥ ${text}` : text;
      if (topCoded) td.className = "top-coded";
      tr.append(td);
    }
    body.append(tr);
  }
  for (const th of document.querySelectorAll("#table th")) {
    th.classList.toggle("sorted", th.dataset.key === state.sortKey);
    th.classList.toggle("desc", th.dataset.key === state.sortKey && state.descending);
    th.classList.toggle("asc", th.dataset.key === state.sortKey && !state.descending);
  }
}

function render() {
  const rows = sorted();
  const period = $("#period").value;
  drawChart(rows, period);
  drawTable(rows, period);
}

// CSV as RFC 4180 wants it: fields with commas, quotes or newlines quoted, quotes doubled.
function csv(rows) {
  const field = (v) => {
    const text = v == null ? "" : String(v);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const header = ["area", "state", "slug", "period", ...STATS, "top_coded", "employment", "jobs_per_1000", "location_quotient", "salary_rank"];
  const period = $("#period").value;
  const lines = rows.map((r) => [
    r.area, r.state, r.slug, period, ...STATS.map((s) => r[s]), [...r.topCoded].join(" "),
    r.employment, r.jobsPer1000, r.locationQuotient, r.rankText,
  ].map(field).join(","));
  return [header.join(","), ...lines].join("\n") + "\n";
}

function download() {
  const blob = new Blob([csv(sorted())], { type: "text/csv" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `${$("#role").value}-${$("#period").value.toLowerCase()}-wages.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

async function load() {
  const status = $("#status");
  status.textContent = "Loading…";
  $("#download").disabled = true;
  try {
    const kind = $("#kind").value;
    const amount = salary();
    const variables = {
      role: $("#role").value, period: $("#period").value, kinds: kind ? [kind] : null,
      amount: amount == null ? 0 : amount, ranked: amount != null,
    };
    const nodes = await all(RANGES, variables, (d) => d.salaryRanges);
    state.rows = nodes.map(row);
    render();
    await compare();
    status.textContent = `${state.rows.length} areas`;
    $("#download").disabled = state.rows.length === 0;
    document.body.dataset.ready = "true";
  } catch (error) {
    status.textContent = `Could not load wages: ${error.message}`;
  }
}

function listItems(list, items) {
  list.replaceChildren();
  for (const [text, className] of items) {
    const li = document.createElement("li");
    li.textContent = text;
    li.className = className;
    list.append(li);
  }
}

// The comparison view: shared and own skills and tools, and the median difference in each area shown (the
// nation first), as bars either side of zero.
async function compare() {
  const section = $("#comparison");
  const other = $("#compare").value;
  delete section.dataset.ready;
  if (!other) {
    section.hidden = true;
    return;
  }
  // compareTo takes at most 50 cities: the first 49 areas in the table's order, with the nation.
  const cities = sorted().map((r) => r.slug).filter((slug) => slug !== "united-states").slice(0, 49);
  const data = await graphql(COMPARE, { role: $("#role").value, other, cities, period: $("#period").value });
  const c = data.role.compareTo;
  $("#comparison-title").textContent = `${data.role.title} compared with ${c.other.title}`;
  const names = (list, key, className, suffix) => list.map((item) => [`${item[key].name}${suffix}`, className]);
  listItems($("#skills-compared"), [
    ...names(c.skillsInBoth, "skill", "both", " (both)"), ...names(c.skillsOnlyInThis, "skill", "only-this", ""),
    ...names(c.skillsOnlyInOther, "skill", "only-other", ` (${c.other.title} only)`),
  ]);
  listItems($("#tools-compared"), [
    ...names(c.toolsInBoth, "tool", "both", " (both)"), ...names(c.toolsOnlyInThis, "tool", "only-this", ""),
    ...names(c.toolsOnlyInOther, "tool", "only-other", ` (${c.other.title} only)`),
  ]);
  drawDifferences(c.wages.filter((w) => w.median != null), $("#period").value);
  section.hidden = false;
  section.dataset.ready = "true";
}

function drawDifferences(wages, period) {
  const chart = $("#difference-chart");
  chart.replaceChildren();
  const labelWidth = 150, right = 60, rowHeight = 16, top = 20, width = 520;
  const height = top + wages.length * rowHeight + 6;
  chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
  if (wages.length === 0) {
    chart.append(svg("text", { x: 10, y: 16, class: "label" }, "No area publishes both medians."));
    return;
  }
  const extent = Math.max(...wages.map((w) => Math.abs(w.median))) || 1;
  const ticks = niceTicks(-extent, extent, 4);
  const lo = ticks[0], hi = ticks[ticks.length - 1];
  const x = (v) => labelWidth + ((v - lo) / (hi - lo)) * (width - labelWidth - right);
  for (const value of ticks) chart.append(svg("text", { x: x(value), y: 10, "text-anchor": "middle", class: "axis tick" }, money(value, period)));
  chart.append(svg("line", { x1: x(0), x2: x(0), y1: top - 4, y2: height, class: "zero" }));
  wages.forEach((w, i) => {
    const y = top + i * rowHeight;
    const g = svg("g", { class: "difference", "data-slug": w.city.slug });
    g.append(svg("text", { x: labelWidth - 6, y: y + 11, "text-anchor": "end", class: "label" }, w.city.name));
    const [a, b] = [x(0), x(w.median)].sort((p, q) => p - q);
    const bar = svg("rect", { x: a, y: y + 2, width: Math.max(1, b - a), height: rowHeight - 4, class: w.median >= 0 ? "positive" : "negative" });
    bar.append(svg("title", {}, `${w.city.name}: median ${w.median >= 0 ? "+" : ""}${money(w.median, period)}`));
    g.append(bar);
    g.append(svg("text", { x: width - 2, y: y + 11, "text-anchor": "end", class: "label" }, `${w.median >= 0 ? "+" : "−"}${money(Math.abs(w.median), period)}`));
    chart.append(g);
  });
}

// Every source's attribution, as O*NET's license asks, under the page.
async function sources() {
  const data = await graphql(SOURCES, {});
  const footer = $("#sources");
  footer.replaceChildren();
  for (const s of data.sources) {
    const p = document.createElement("p");
    p.textContent = `${s.title} (${s.publisher}${s.release ? `, release ${s.release}` : ""}). ${s.attribution}`;
    footer.append(p);
  }
}

async function start() {
  const roles = await all(ROLES, {}, (d) => d.roles);
  const select = $("#role");
  // Curated roles first, then the BLS occupations the importer adds.
  roles.sort((a, b) => (b.curated - a.curated) || a.title.localeCompare(b.title));
  for (const role of roles) select.append(new Option(role.curated ? role.title : `${role.title} (BLS)`, role.slug));
  for (const role of roles) $("#compare").append(new Option(role.curated ? role.title : `${role.title} (BLS)`, role.slug));
  const wanted = new URLSearchParams(location.search).get("role");
  if (wanted && roles.some((r) => r.slug === wanted)) select.value = wanted;
  for (const id of ["#role", "#period", "#kind", "#salary"]) $(id).addEventListener("change", load);
  $("#compare").addEventListener("change", () => compare().catch((error) => { $("#status").textContent = `Could not compare: ${error.message}`; }));
  sources().catch(() => {});
  $("#download").addEventListener("click", download);
  for (const th of document.querySelectorAll("#table th")) {
    th.addEventListener("click", () => {
      const key = th.dataset.key;
      state.descending = state.sortKey === key ? !state.descending : th.dataset.type !== "text";
      state.sortKey = key;
      render();
    });
  }
  await load();
}

start().catch((error) => { $("#status").textContent = `Could not start: ${error.message}`; });
