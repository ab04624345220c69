// Opens careerql's /explore page in headless Chromium, picks a role, and prints what the page shows as JSON:
// the chart's bars and median marks, the table's rows, the table after sorting by area, and the CSV it downloads.
// Usage: node explore.mjs BASE_URL ROLE_SLUG
import { readFile } from "node:fs/promises";
import { chromium } from "playwright-core";

const [base, role] = process.argv.slice(2);
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
  }));
  await page.click('#table th[data-key="area"]');
  const sortedAreas = await page.$$eval("#table tbody tr td:first-child", (tds) => tds.map((td) => td.textContent));
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  const csv = await readFile(await download.path(), "utf8");
  console.log(JSON.stringify({ ...shown, sortedAreas, csv, filename: download.suggestedFilename(), errors, outside, policy, csp }));
} finally {
  await browser.close();
}
