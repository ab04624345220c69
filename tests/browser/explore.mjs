// Opens careerql's /explore page in headless Chromium, picks a role, and prints what the page shows as JSON:
// the chart's bars, median marks, axis ticks and error bars, the table's rows, each area's rank of SALARY,
// the comparison with OTHER_ROLE, the table after sorting by area, and the CSV it downloads.
// Usage: node explore.mjs BASE_URL ROLE_SLUG SALARY OTHER_ROLE_SLUG
import { readFile } from "node:fs/promises";
import { chromium } from "playwright-core";

const [base, role, salary, other] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
try {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const outside = [];
  // The page must work offline: any request to another host is recorded (and refused).
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== new URL(base).origin && url.protocol !== "blob:" && url.protocol !== "data:") {
      outside.push(url.href);
      return route.abort();
    }
    return route.continue();
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // Content-Security-Policy violations (src/http/security_headers.rs), from the page's own event and from
  // Chromium's console messages about them.
  const csp = [];
  await page.exposeBinding("reportCspViolation", (_source, violation) => csp.push(violation));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) =>
      window.reportCspViolation(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`));
  });
  page.on("console", (message) => /Content Security Policy/i.test(message.text()) && csp.push(`console: ${message.text()}`));
  const loaded = await page.goto(`${base}/explore?role=${encodeURIComponent(role)}`);
  const policy = loaded.headers()["content-security-policy"] ?? null;
  await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
  const shown = await page.evaluate(() => ({
    role: document.querySelector("#role").value,
    bars: document.querySelectorAll("#chart rect.bar").length,
    medians: document.querySelectorAll("#chart line.median").length,
    rows: [...document.querySelectorAll("#table tbody tr")].map((tr) => [...tr.children].map((td) => td.textContent)),
    status: document.querySelector("#status").textContent,
    ticks: [...document.querySelectorAll("#chart text.tick")].map((t) => t.textContent),
    errorBars: document.querySelectorAll("#chart g.error-bar").length,
    sources: [...document.querySelectorAll("#sources p")].map((p) => p.textContent),
  }));
  // Enter a salary: the page ranks it in every area.
  await page.evaluate((amount) => {
    delete document.body.dataset.ready;
    const input = document.querySelector("#salary");
    input.value = amount;
    input.dispatchEvent(new Event("change"));
  }, salary);
  await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
  const ranked = await page.evaluate(() => ({
    ranks: Object.fromEntries([...document.querySelectorAll("#chart text.salary-rank")].map((t) => [t.dataset.slug, t.textContent])),
    salaryLines: document.querySelectorAll("#chart line.salary").length,
    rankCells: [...document.querySelectorAll("#table tbody tr")].map((tr) => tr.lastElementChild.textContent),
  }));
  // Pick a second role: the comparison view shows the skills, tools and median difference by area.
  await page.selectOption("#compare", other);
  await page.waitForSelector("#comparison[data-ready=true]", { timeout: 20000 });
  const comparison = await page.evaluate(() => ({
    title: document.querySelector("#comparison-title").textContent,
    differences: [...document.querySelectorAll("#difference-chart g.difference")].map((g) => [g.dataset.slug, g.lastElementChild.textContent]),
    skills: [...document.querySelectorAll("#skills-compared li")].map((li) => li.textContent),
    tools: [...document.querySelectorAll("#tools-compared li")].map((li) => li.textContent),
    differenceTicks: [...document.querySelectorAll("#difference-chart text.tick")].map((t) => t.textContent),
  }));
  await page.click('#table th[data-key="area"]');
  const sortedAreas = await page.$$eval("#table tbody tr td:first-child", (tds) => tds.map((td) => td.textContent));
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  const csv = await readFile(await download.path(), "utf8");
  console.log(
    JSON.stringify({ ...shown, ...ranked, comparison, sortedAreas, csv, filename: download.suggestedFilename(), errors, outside, policy, csp }),
  );
} finally {
  await browser.close();
}
