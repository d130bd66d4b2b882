// The web page in a real browser (docs/web.md#the-browser-test): opens `/` of a running
// `slayer serve` in Debian's headless Chromium, driven by playwright-core, and checks what the
// page shows against the JSON API of the same server. Run by browser_test.sh, which starts the
// server on a store whose data no longer changes.
// With CLI_REPORT (the output of `slayer report --group-by dag --since 30d --format json`) and
// OUTCOMES (how many outcomes `slayer backfill` recorded), it also checks that the backfill, the
// CLI report, the API and the page agree on the same history.
// Usage: node page_test.mjs BASE_URL OUT_DIR NODE_MODULES [CLI_REPORT OUTCOMES]
import {createRequire} from 'node:module';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';

const [base, outDir, nodeModules, cliReportPath, backfillOutcomes] = process.argv.slice(2);
if (!base || !outDir || !nodeModules) {
  console.error('usage: node page_test.mjs BASE_URL OUT_DIR NODE_MODULES');
  process.exit(2);
}
const {chromium} = createRequire(join(nodeModules, 'noop.js'))('playwright-core');

let passed = 0;
let failed = 0;
function check(ok, what, detail) {
  if (ok) {
    passed++;
    console.log(`ok: ${what}`);
  } else {
    failed++;
    console.log(`FAIL: ${what}${detail === undefined ? '' : `\n  ${detail}`}`);
  }
}
// JSON with the keys of every object sorted: the order of a table's rows is not compared.
function canonical(value) {
  return JSON.stringify(value, (key, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}
function checkEqual(actual, expected, what) {
  const a = canonical(actual);
  const e = canonical(expected);
  check(a === e, what, `got      ${a}\n  expected ${e}`);
}

async function api(path) {
  const response = await fetch(new URL(path, base));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

const violationKey = (v) =>
  [v.airflow_instance, v.rule, v.dag_id, v.run_id, v.task_id, v.need_by, v.state, v.severity].join('|');

// The violations table as rows of the API's fields, sorted.
async function tableViolations(page) {
  return page.$$eval('#violations tbody tr[data-row="violation"]', (rows) => rows.map((r) => ({
    airflow_instance: r.dataset.airflowInstance, rule: r.dataset.rule, dag_id: r.dataset.dagId,
    run_id: r.dataset.runId, task_id: r.dataset.taskId, need_by: r.dataset.needBy,
    state: r.dataset.state, severity: r.dataset.severity,
    // what a person reads in the row
    text: [...r.cells].map((c) => c.textContent.trim()),
  })));
}

// The compliance table as {dag_id: {field: number|null}}.
async function tableCompliance(page) {
  return page.$$eval('#compliance tbody tr[data-row="compliance"]', (rows) => Object.fromEntries(
    rows.map((r) => [r.dataset.dagId, Object.fromEntries([...r.querySelectorAll('[data-field]')].map(
      (c) => [c.dataset.field, c.dataset.value === '' ? null : Number(c.dataset.value)]))])));
}

function reportNumbers(report) {
  return Object.fromEntries(report.groups.map((g) => [g.key.dag_id, {
    evaluated: g.evaluated, met: g.met, met_late: g.met_late, missed: g.missed,
    abandoned: g.abandoned, compliance: g.compliance, lateness_p50: g.lateness_seconds.p50,
    lateness_p95: g.lateness_seconds.p95, lateness_max: g.lateness_seconds.max,
  }]));
}

// Non-blank pixels of a canvas: how many are painted, and how many colours they have.
async function canvasInk(page, id) {
  return page.$eval(`#${id}`, (canvas) => {
    if (canvas.hidden || !canvas.width || !canvas.height) return {painted: 0, colors: 0};
    const {data} = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    const colors = new Set();
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue;
      painted++;
      if (colors.size < 64) colors.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    }
    return {painted, colors: colors.size, width: canvas.width, height: canvas.height};
  });
}

async function historyLoaded(page, after) {
  await page.waitForFunction((n) => Number(document.body.dataset.historyLoaded || 0) > n, after,
                             {timeout: 20000});
  return page.evaluate(() => Number(document.body.dataset.historyLoaded));
}

const userDataDir = mkdtempSync(join(outDir, 'chromium-profile-'));
// A fresh profile: nothing cached, no first-run state.
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: {width: 1400, height: 1000},
});
const consoleErrors = [];
const failedRequests = [];
const page = context.pages()[0] || await context.newPage();
try {
  let watchRequests = true;
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => {
    if (watchRequests) failedRequests.push(`${r.url()}: ${r.failure() && r.failure().errorText}`);
  });
  page.on('response', (r) => {
    if (watchRequests && r.status() >= 400) failedRequests.push(`${r.url()}: HTTP ${r.status()}`);
  });

  await page.goto(base, {waitUntil: 'load'});
  await page.waitForFunction(() => document.getElementById('last-refresh').dataset.time, null,
                             {timeout: 20000});
  let loads = await historyLoaded(page, 0);

  // 1. The violations table lists exactly what /api/v1/violations returns.
  const violations = await api('api/v1/violations');
  const shown = await tableViolations(page);
  check(violations.violations.length >= 1, 'the API has open violations',
        `${violations.violations.length} violations`);
  checkEqual(shown.map(violationKey).sort(), violations.violations.map(violationKey).sort(),
             'the violations table lists exactly the violations of the API');
  const sample = violations.violations[0];
  const sampleRow = shown.find((r) => violationKey(r) === violationKey(sample));
  check(sampleRow && sampleRow.text[2] === sample.dag_id && sampleRow.text[3] === sample.run_id &&
        sampleRow.text[7] === sample.state && sampleRow.text[8] === sample.severity &&
        sampleRow.text[5] === `${sample.need_by.slice(0, 19).replace('T', ' ')} UTC`,
        'a violation row shows its DAG, run, need-by, state and severity',
        JSON.stringify(sampleRow && sampleRow.text));

  // 2. The compliance table holds the numbers of /api/v1/report?group_by=dag.
  const report = await api('api/v1/report?group_by=dag&since=30d');
  check(report.groups.length >= 3 && report.groups.some((g) => g.met_late > 0),
        'the report has DAGs with misses', JSON.stringify(report.groups.map((g) => g.key)));
  checkEqual(await tableCompliance(page), reportNumbers(report),
             'the compliance table equals /api/v1/report?group_by=dag');
  if (cliReportPath) {
    const cli = JSON.parse(readFileSync(cliReportPath, 'utf8'));
    checkEqual(report.groups, cli.groups,
               'the API report equals `slayer report --format json` (same groups, same numbers)');
    checkEqual(await tableCompliance(page), reportNumbers(cli),
               'the compliance table equals `slayer report --format json`');
    const counted = cli.groups.reduce((n, g) => n + g.met + g.met_late + g.missed + g.abandoned, 0);
    checkEqual(counted, Number(backfillOutcomes),
               'the report counts every outcome `slayer backfill` recorded');
  }
  const alpha = report.groups.find((g) => g.key.dag_id === 'web_alpha');
  const alphaText = await page.$$eval('#compliance tr[data-dag-id="web_alpha"] td',
                                      (cells) => cells.map((c) => c.textContent));
  check(alpha && alphaText[0] === String(alpha.evaluated) && alphaText[2] === String(alpha.met_late),
        'the compliance table shows the counts as text', JSON.stringify(alphaText));

  // 3. The heatmap counts are the report's by_weekday_hour, summed over the DAGs.
  const expectedCells = Array.from({length: 7}, () => Array(24).fill(0));
  for (const g of report.groups) {
    g.by_weekday_hour.forEach((row, d) => row.forEach((n, h) => { expectedCells[d][h] += n; }));
  }
  const heatCells = await page.$$eval('#heatmap-table tbody tr', (rows) =>
    rows.map((r) => [...r.querySelectorAll('td')].map((c) => Number(c.dataset.value))));
  checkEqual(heatCells, expectedCells, 'the heatmap counts equal the report\'s by_weekday_hour');
  check(expectedCells.flat().some((n) => n > 0), 'the heatmap has misses');

  // 4. The lateness chart plots each miss of /api/v1/incidents.
  const incidents = await api('api/v1/incidents?since=30d&state=missed,met_late');
  const points = await page.$eval('#lateness-chart', (c) => Number(c.dataset.points));
  checkEqual(points, incidents.incidents.length, 'the lateness chart has a point per incident');

  // 5. Uptime from /api/v1/health.
  const health = await api('api/v1/health');
  const uptimeRows = await page.$$eval('#uptime tbody tr[data-row="uptime"]', (rows) =>
    rows.map((r) => [r.dataset.airflowInstance, r.dataset.window,
                     r.querySelector('[data-field="outages"]').dataset.value]));
  checkEqual(uptimeRows, health.instances.flatMap((i) => i.windows.map(
    (w) => [i.airflow_instance, w.window, String(w.outages)])), 'the uptime table lists /api/v1/health');
  check(uptimeRows.length >= 3, 'the uptime table has the 7d, 30d and 90d windows');

  // 6. The charts are drawn.
  for (const id of ['heatmap-chart', 'lateness-chart', 'compliance-chart']) {
    const ink = await canvasInk(page, id);
    check(ink.painted > 2000 && ink.colors >= 3, `${id} is drawn`, JSON.stringify(ink));
  }
  await page.screenshot({path: join(outDir, 'page.png'), fullPage: true});

  // 7. The page refreshes itself.
  const before = await page.$eval('#last-refresh', (t) => t.dataset.time);
  await page.waitForFunction((t) => document.getElementById('last-refresh').dataset.time !== t,
                             before, {timeout: 15000}).catch(() => {});
  const after = await page.$eval('#last-refresh', (t) => t.dataset.time);
  check(after !== before, 'the violations refresh by themselves', `${before} -> ${after}`);

  // 8. A DAG glob narrows the tables (and goes into the URL).
  await page.fill('#filter-dag', 'web_*');
  await page.press('#filter-dag', 'Enter');
  loads = await historyLoaded(page, loads);
  const narrowed = await tableViolations(page);
  const webViolations = violations.violations.filter((v) => v.dag_id.startsWith('web_'));
  checkEqual(narrowed.map(violationKey).sort(), webViolations.map(violationKey).sort(),
             'the DAG filter narrows the violations table');
  check(narrowed.length >= 1 && narrowed.length < shown.length,
        'the narrowed violations table is smaller and not empty', `${narrowed.length} of ${shown.length}`);
  const webReport = await api('api/v1/report?group_by=dag&since=30d&dag_id=web_*');
  const webCompliance = await tableCompliance(page);
  checkEqual(webCompliance, reportNumbers(webReport),
             'the DAG filter narrows the compliance table to /api/v1/report?dag_id=web_*');
  check(Object.keys(webCompliance).length < report.groups.length && !('zz_stuck' in webCompliance),
        'the narrowed compliance table has fewer DAGs', Object.keys(webCompliance).join(','));
  check(page.url().includes('dag_id=web_*') || page.url().includes('dag_id=web_%2A'),
        'the filter is kept in the URL', page.url());
  // The window selector asks the API for another window.
  const sevenDays = page.waitForRequest((r) => r.url().includes('api/v1/report?since=7d'));
  await page.selectOption('#filter-window', '7d');
  await sevenDays;
  loads = await historyLoaded(page, loads);
  check(true, 'the window selector loads the 7 day report');

  // 9. No errors so far.
  checkEqual(consoleErrors, [], 'no console errors');
  checkEqual(failedRequests, [], 'no failed requests');

  // 10. An unreachable API shows the error banner, and it goes away once the API answers.
  watchRequests = false;
  await page.route('**/api/v1/violations', (route) => route.abort('connectionrefused'));
  await page.waitForSelector('#error-banner:not([hidden])', {timeout: 15000}).catch(() => {});
  const banner = await page.$eval('#error-banner', (b) => ({hidden: b.hidden, text: b.textContent}));
  check(!banner.hidden && /cannot reach the server/.test(banner.text),
        'the error banner shows when the API is unreachable', JSON.stringify(banner));
  await page.screenshot({path: join(outDir, 'page-api-down.png')});
  await page.unroute('**/api/v1/violations');
  await page.waitForSelector('#error-banner[hidden]', {state: 'attached', timeout: 15000})
    .catch(() => {});
  check(await page.$eval('#error-banner', (b) => b.hidden), 'the error banner goes away again');
} catch (e) {
  // A step that timed out or threw: say what the page said.
  check(false, `the test ran to its end: ${e.message.split('\n')[0]}`,
        `console errors: ${JSON.stringify(consoleErrors)}\n  failed requests: ${JSON.stringify(failedRequests)}`);
  await page.screenshot({path: join(outDir, 'page.png'), fullPage: true}).catch(() => {});
} finally {
  await context.close();
  rmSync(userDataDir, {recursive: true, force: true});
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
