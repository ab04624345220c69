// Loads the GraphiQL playground in headless Chromium, runs one of its example queries with the run button,
// checks the result pane shows real data from the server, opens the explorer plugin's pane and checks it
// lists the schema's root fields. Fails on any Content-Security-Policy violation: the server's policy
// (src/http/security_headers.rs) must hold and GraphiQL must still work under it.
// Usage: node graphiql.mjs http://127.0.0.1:PORT/ [screenshot.png]
import { chromium } from 'playwright-core';

const [base, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  // graphiql-explorer 0.9 (inside the explorer plugin) logs this for every list-valued argument in the
  // editor, such as the example's `orderBy: [{ … }]`; it is its own chatter, not a failure.
  const explorerChatter = /^arg mismatch between arg and selection/;
  page.on('console', (message) => {
    if (message.type() === 'error' && !explorerChatter.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  // Chromium also logs violations to the console; the event names the directive and what it blocked.
  await page.exposeBinding('reportCspViolation', (_source, violation) => problems.push(`CSP violation: ${violation}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) =>
      window.reportCspViolation(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`),
    );
  });

  const loaded = await page.goto(base, { waitUntil: 'networkidle' });
  const policy = loaded.headers()['content-security-policy'] ?? '';
  if (!policy.includes("script-src 'self';") || policy.includes('unsafe-')) {
    throw new Error(`the page's Content-Security-Policy is missing or relaxed: ${policy}`);
  }
  // The schema arrives by introspection; the docs button is usable once it has.
  await page.locator('.graphiql-execute-button').waitFor({ timeout: 20_000 });
  await page.locator('.graphiql-execute-button').click();
  // The example document has several operations: GraphiQL asks which one to run.
  const answered = page.waitForResponse(
    (response) => response.url().endsWith('/graphql') && response.request().postData()?.includes('RoleWithSkillsAndTools'),
  );
  await page.getByRole('menuitem', { name: 'RoleWithSkillsAndTools' }).click();
  const answer = await (await answered).json();
  const tools = answer.data?.role?.tools?.edges?.map((edge) => edge.node.name) ?? [];
  if (!tools.includes('PostgreSQL')) throw new Error(`unexpected answer: ${JSON.stringify(answer).slice(0, 500)}`);
  const result = page.locator('.result-window');
  await result.getByText('"Senior Backend Engineer"').waitFor({ timeout: 20_000 }).catch(async (error) => {
    if (screenshot) await page.screenshot({ path: screenshot });
    throw new Error(`${error.message}\nresult pane: ${await result.innerText().catch(() => '?')}\n${problems.join('\n')}`);
  });

  // The explorer plugin: its button in the sidebar opens a pane listing the query type's fields.
  await page.getByRole('button', { name: 'Show GraphiQL Explorer' }).click();
  const explorer = page.locator('.graphiql-explorer-root');
  const rootFields = ['role', 'cities', 'salaryRanges', 'search'];
  for (const field of rootFields) {
    await explorer.getByText(field, { exact: true }).first().waitFor({ timeout: 20_000 }).catch(async (error) => {
      if (screenshot) await page.screenshot({ path: screenshot });
      throw new Error(`explorer pane lacks ${field}: ${error.message}\n${await explorer.innerText().catch(() => '?')}`);
    });
  }
  // A dialog too: menus and dialogs add the one inline style the policy allows by its hash.
  await page.getByRole('button', { name: 'Open settings dialog' }).click();
  await page.getByRole('dialog').waitFor({ timeout: 10_000 });
  await page.keyboard.press('Escape');
  if (screenshot) await page.screenshot({ path: screenshot });
  if (problems.length > 0) throw new Error(problems.join('\n'));
  console.log(
    `graphiql: ran RoleWithSkillsAndTools in Chromium; the result pane shows it (${tools.length} tools); ` +
      `the explorer pane lists ${rootFields.join(', ')}; no CSP violation`,
  );
} finally {
  await browser.close();
}
