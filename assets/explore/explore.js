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

const RANGES = `query Ranges($role: String!, $period: PayPeriod!, $kinds: [AreaKind!], $after: String) {
  salaryRanges(
    first: ${PAGE}, after: $after,
    filter: { role: { slug: { eq: $role } }, period: { eq: $period }, source: { eq: "BLS OEWS" }, city: { kind: { in: $kinds } } }
    orderBy: [{ field: MEDIAN, direction: DESC }]
  ) {
    pageInfo { hasNextPage endCursor }
    nodes { city { name state slug kind } p10 p25 median p75 p90 topCoded employment jobsPer1000 locationQuotient }
  }
}`;

const STATS = ["p10", "p25", "median", "p75", "p90"];
const TOP = { P10: "p10", P25: "p25", MEDIAN: "median", P75: "p75", P90: "p90", MEAN: "mean" };

function money(value, period) {
  if (value == null) return "—";
  return period === "HOURLY" ? `$${value.toFixed(2)}` : `$${Math.round(value).toLocaleString("en-US")}`;
}

function number(value, digits) {
  return value == null ? "—" : value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

function row(node) {
  const topCoded = new Set(node.topCoded.map((s) => TOP[s]));
  return {
    area: node.city.name, state: node.city.state || "", slug: node.city.slug,
    p10: node.p10, p25: node.p25, median: node.median, p75: node.p75, p90: node.p90,
    employment: node.employment, jobsPer1000: node.jobsPer1000, locationQuotient: node.locationQuotient,
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

function drawChart(rows, period) {
  const chart = $("#chart");
  chart.replaceChildren();
  const drawn = rows.filter((r) => r.p10 != null && r.p90 != null);
  const labelWidth = 170, right = 20, rowHeight = 18, top = 24, width = 640;
  const height = top + drawn.length * rowHeight + 10;
  chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
  if (drawn.length === 0) {
    chart.append(svg("text", { x: 10, y: 20, class: "label" }, "No published wages for this selection."));
    return;
  }
  const max = Math.max(...drawn.map((r) => r.p90));
  const min = Math.min(...drawn.map((r) => r.p10));
  const lo = Math.max(0, min - (max - min) * 0.05), hi = max + (max - min) * 0.05 || max + 1;
  const x = (v) => labelWidth + ((v - lo) / (hi - lo)) * (width - labelWidth - right);
  for (let i = 0; i <= 4; i++) {
    const value = lo + ((hi - lo) * i) / 4;
    chart.append(svg("line", { x1: x(value), x2: x(value), y1: top - 6, y2: height, class: "grid" }));
    chart.append(svg("text", { x: x(value), y: 12, "text-anchor": "middle", class: "axis" }, money(value, period)));
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
    chart.append(g);
  });
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
  const header = ["area", "state", "slug", "period", ...STATS, "top_coded", "employment", "jobs_per_1000", "location_quotient"];
  const period = $("#period").value;
  const lines = rows.map((r) => [
    r.area, r.state, r.slug, period, ...STATS.map((s) => r[s]), [...r.topCoded].join(" "),
    r.employment, r.jobsPer1000, r.locationQuotient,
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
    const variables = { role: $("#role").value, period: $("#period").value, kinds: kind ? [kind] : null };
    const nodes = await all(RANGES, variables, (d) => d.salaryRanges);
    state.rows = nodes.map(row);
    render();
    status.textContent = `${state.rows.length} areas`;
    $("#download").disabled = state.rows.length === 0;
    document.body.dataset.ready = "true";
  } catch (error) {
    status.textContent = `Could not load wages: ${error.message}`;
  }
}

async function start() {
  const roles = await all(ROLES, {}, (d) => d.roles);
  const select = $("#role");
  // Curated roles first, then the BLS occupations the importer adds.
  roles.sort((a, b) => (b.curated - a.curated) || a.title.localeCompare(b.title));
  for (const role of roles) select.append(new Option(role.curated ? role.title : `${role.title} (BLS)`, role.slug));
  const wanted = new URLSearchParams(location.search).get("role");
  if (wanted && roles.some((r) => r.slug === wanted)) select.value = wanted;
  for (const id of ["#role", "#period", "#kind"]) $(id).addEventListener("change", load);
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
