// The web console in headless Chromium against a real `regwatch run` (tests/e2e/console.sh
// starts it, feeds events and makes the users). Steps share one browser and run in order:
// a regulator handles a lead, a supervisor closes it, the audit trail shows it, scope is
// respected, the queue refreshes live, and every page is screenshotted into $RW_SHOTS.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';

const BASE = process.env.RW_BASE;
const TOKENS = JSON.parse(process.env.RW_TOKENS); // role or user name → token
const SHOTS = process.env.RW_SHOTS;
const MEASURE = '责令改正';
mkdirSync(SHOTS, { recursive: true });

let browser;
let page;
let leadId; // the lead the regulator handles
const pageErrors = [];

async function shot(name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function signIn(token) {
  await page.goto(`${BASE}/#/login`);
  await page.fill('#token', token);
  await page.click('#signin');
  await page.waitForSelector('#signout');
}

async function open(hash, selector) {
  await page.goto(`${BASE}/#/${hash}`);
  await page.waitForSelector(selector);
}

async function act(action, fields = {}) {
  await page.click(`#actions button[data-action="${action}"]`);
  for (const [name, value] of Object.entries(fields)) {
    const sel = `#${action}-${name}`;
    if ((await page.$eval(sel, (el) => el.tagName)) === 'SELECT') await page.selectOption(sel, value);
    else await page.fill(sel, value);
  }
  await page.click(`#submit-${action}`);
  await page.waitForSelector('#done');
}

const statusText = () => page.textContent('.page-head .badge[class*="status-"]');

before(async () => {
  browser = await chromium.launch({ executablePath: process.env.RW_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.setDefaultTimeout(15000);
});

after(async () => {
  await browser?.close();
});

test('a wrong token is refused with the API message in words', async () => {
  await page.goto(`${BASE}/`);
  await page.waitForSelector('#token');
  await shot('01-login');
  await page.fill('#token', 'not-a-token');
  await page.click('#signin');
  const msg = await page.textContent('.error');
  assert.match(msg, /[\u4e00-\u9fff]/, 'the error is shown in Chinese words');
  assert.match(msg, /401 unauthorized/);
});

test('regulator: the queue lists leads of the scope, filtered by level', async () => {
  await signIn(TOKENS.wang);
  await page.waitForSelector('table.leads tbody tr');
  await shot('02-queue-regulator');
  const regions = await page.$$eval('table.leads tbody tr td:nth-child(4)', (tds) => tds.map((td) => td.textContent));
  assert.ok(regions.length > 0);
  for (const r of regions) assert.ok(r.startsWith('3301'), `region ${r} is in the scope 3301`);
  await page.selectOption('#f-level', 'orange');
  await page.click('#filters button[type=submit]');
  await page.waitForFunction(() => location.hash.includes('level=orange'));
  await page.waitForSelector('table.leads tbody tr');
  const levels = await page.$$eval('table.leads tbody tr td:first-child .badge', (b) => b.map((x) => x.className));
  for (const l of levels) assert.match(l, /level-orange/);
});

test('regulator: a lead shows why it fired, its basis and deadline; accept → verify → confirm', async () => {
  await open('leads?status=new&sort=-created', 'table.leads tbody tr');
  const href = await page.getAttribute('table.leads tbody tr:first-child a.lead-link', 'href');
  leadId = decodeURIComponent(href.split('/').pop());
  await page.click('table.leads tbody tr:first-child a.lead-link');
  await page.waitForSelector('#actions');
  assert.equal(await statusText(), '下发');
  assert.ok(await page.$('table.evidence tbody tr'), 'evidence rows');
  assert.ok(await page.$('table.evidence svg.chart'), 'each value drawn beside its threshold');
  assert.ok(await page.$('.clause'), 'the clauses');
  assert.match(await page.textContent('main'), /签收期限/);
  const buttons = await page.$$eval('#actions button', (b) => b.map((x) => x.dataset.action));
  assert.deepEqual(buttons.sort(), ['accept', 'return'], 'exactly the actions allowed now');
  await shot('03-lead-new');
  // someone accepts it meanwhile (the API, behind the page's back): the page's form, opened on
  // revision 1, is refused as a conflict in the API's words, and the page shows the lead as
  // it is now, offering the next step without a reload
  await page.evaluate(async (id) => {
    const tok = JSON.parse(sessionStorage.getItem('regwatch.session')).token;
    await fetch(`/api/leads/${encodeURIComponent(id)}/actions`, { method: 'POST',
      headers: { Authorization: 'Bearer ' + tok, 'Content-Type': 'application/json' }, body: JSON.stringify({ action: 'accept', note: '已签收' }) });
  }, leadId);
  await page.click('#actions button[data-action="accept"]');
  await page.click('#submit-accept');
  await page.waitForSelector('#action-out .error');
  const refusal = await page.textContent('#action-out .error');
  assert.match(refusal, /409 conflict/);
  assert.match(refusal, /[\u4e00-\u9fff]/);
  assert.equal(await statusText(), '已签收');
  assert.deepEqual(await page.$$eval('#actions button', (b) => b.map((x) => x.dataset.action)), ['verify']);
  await shot('03b-lead-conflict');
  await act('verify');
  assert.equal(await statusText(), '核查中');
  await page.click('#actions button[data-action="confirm"]');
  await shot('04-lead-confirm-form');
  await page.selectOption('#confirm-measure', MEASURE);
  await page.fill('#confirm-note', '现场核查属实，已责令改正');
  await page.fill('#confirm-decision_ref', '杭市监责改〔2026〕1号');
  await page.click('#submit-confirm');
  await page.waitForSelector('#done');
  assert.equal(await statusText(), '属实');
  assert.match(await page.textContent('#disposition'), new RegExp(MEASURE));
  const after = await page.$$eval('#actions button', (b) => b.map((x) => x.dataset.action));
  assert.ok(!after.includes('close'), 'a regulator cannot close');
  await shot('05-lead-confirmed');
});

test('a regulator of another region cannot see or act on the lead', async () => {
  await signIn(TOKENS.zhou);
  await page.waitForSelector('table.leads tbody tr, .empty');
  const ids = await page.$$eval('table.leads tbody tr', (rows) => rows.map((r) => r.dataset.lead));
  assert.ok(!ids.includes(leadId), 'not in the queue');
  await page.goto(`${BASE}/#/leads/${encodeURIComponent(leadId)}`);
  await page.waitForSelector('.error');
  assert.match(await page.textContent('.error'), /404 not_found/);
  assert.equal(await page.$('#actions'), null, 'no action buttons');
  await shot('06-lead-out-of-scope');
  const res = await page.evaluate(async (id) => {
    const tok = JSON.parse(sessionStorage.getItem('regwatch.session')).token;
    const r = await fetch(`/api/leads/${encodeURIComponent(id)}/actions`, { method: 'POST',
      headers: { Authorization: 'Bearer ' + tok, 'Content-Type': 'application/json' }, body: JSON.stringify({ action: 'close' }) });
    return r.status;
  }, leadId);
  assert.equal(res, 404, 'the API refuses it as well');
});

test('an author reads the lead but has no action on it', async () => {
  await signIn(TOKENS.author);
  await open(`leads/${encodeURIComponent(leadId)}`, '#actions');
  assert.equal(await page.$$eval('#actions button', (b) => b.length), 0);
});

test('supervisor: the disposition awaits review and is closed from the review page', async () => {
  await signIn(TOKENS.supervisor);
  await open('review', '#review-pending');
  const row = `#review-pending tr[data-lead="${leadId}"]`;
  await page.waitForSelector(row);
  await shot('07-review');
  await page.click(`${row} button.action-close`);
  await page.waitForFunction((id) => !document.querySelector(`#review-pending tr[data-lead="${id}"]`), leadId);
  await open(`leads/${encodeURIComponent(leadId)}`, '#timeline');
  assert.equal(await statusText(), '已办结');
  assert.match(await page.textContent('#disposition'), /办结：li/);
});

test('the lead timeline is its audit trail', async () => {
  const actions = await page.$$eval('#timeline li', (li) => li.map((x) => x.dataset.action));
  assert.deepEqual(actions, ['create', 'accept', 'verify', 'confirm', 'close']);
  const text = await page.textContent('#timeline');
  assert.match(text, new RegExp(`处置措施：${MEASURE}`));
  assert.match(text, /wang/);
  assert.match(text, /li/);
  assert.match(text, /现场核查属实/);
  await shot('08-lead-closed-timeline');
});

test('the status filter 全部 lists closed leads too; the review page has no buttons for a regulator', async () => {
  await signIn(TOKENS.supervisor);
  // the queue's status 全部 stays chosen and lists the closed lead too (an empty status fell
  // back to open leads only)
  await open('leads', '#filters');
  await page.selectOption('#f-status', 'all');
  await page.fill('#filters input[name=entity]', await page.evaluate(async (id) => {
    const tok = JSON.parse(sessionStorage.getItem('regwatch.session')).token;
    const r = await fetch(`/api/leads/${encodeURIComponent(id)}`, { headers: { Authorization: 'Bearer ' + tok } });
    return (await r.json()).lead.entity;
  }, leadId));
  await page.click('#filters button[type=submit]');
  await page.waitForFunction(() => location.hash.includes('status=all'));
  await page.waitForSelector(`table.leads tbody tr[data-lead="${leadId}"]`);
  assert.equal(await page.$eval('#f-status', (s) => s.value), 'all');
  // a regulator opening the review page by its address gets the lists, not the buttons
  await signIn(TOKENS.wang);
  await open('review', '#review-pending');
  assert.equal(await page.$$eval('#review-pending button.action-close', (b) => b.length), 0);
});

test('auditor: the audit log has the entries and its hash chain verifies', async () => {
  await signIn(TOKENS.auditor);
  await open(`audit?lead=${encodeURIComponent(leadId)}`, 'table.audit tbody tr');
  assert.equal(await page.$$eval('table.audit tbody tr', (r) => r.length), 4);
  // each entry's note and its changes in words, not JSON
  const log = await page.textContent('table.audit tbody');
  assert.match(log, /现场核查属实/);
  assert.match(log, /状态：下发 → 已签收/);
  assert.doesNotMatch(log, /"status"|\{"/);
  await page.click('#verify');
  await page.waitForSelector('#verify-out .ok');
  await shot('09-audit');
});

test('supervisor: statistics per rule, department and region with charts', async () => {
  await signIn(TOKENS.supervisor);
  for (const by of ['rule', 'department', 'region']) {
    await open(`stats?by=${by}`, '#stats-table');
    assert.ok((await page.$$('svg.chart')).length >= 3);
    await shot(`10-stats-${by}`);
    // rules by their Chinese titles, the id after
    if (by === 'rule') assert.match(await page.textContent('#stats-table tbody'), /[\u4e00-\u9fff]+（[A-Z]+-[A-Z-]+）/);
  }
});

test('author: rules with statistics and a rule page', async () => {
  await signIn(TOKENS.author);
  await open('rules', '#rules-table tbody tr');
  await shot('11-rules');
  await page.click('#rules-table tbody tr:first-child a');
  await page.waitForSelector('#rule-stats svg.chart, #rule-stats .error');
  await shot('12-rule');
});

// The history is the events topic of the running service, by message time (the events
// were produced during this test): yesterday to tomorrow covers them, whatever the zone.
test('author: a sweep and a backtest show their charts and the added and removed leads', async () => {
  const day = (d) => new Date(Date.now() + d * 86400000).toISOString().slice(0, 10);
  const sent = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/backtest')) sent.push(JSON.parse(r.postData())); });
  await open('backtest', '#bt-form');
  await page.fill('input[name="from"]', day(-1));
  await page.fill('input[name="to"]', day(1));
  await page.fill('#bt-param', 'FOOD-COMPLAINT-SURGE:complaint_surge_7d');
  await page.fill('#bt-values-in', '1..5');
  await page.click('#bt-run');
  await page.waitForSelector('#bt-chart svg.chart', { timeout: 120000 });
  assert.equal(await page.$$eval('#bt-values tbody tr', (r) => r.length), 5);
  assert.ok(await page.$('#bt-months svg.chart'), "the current value's leads by month");
  await shot('19-sweep');
  // a candidate food ruleset: more complaint surges (added leads), fewer additive leads (removed)
  const food = readFileSync(new URL('../../rules/food.yaml', import.meta.url), 'utf8')
    .replace(/complaint_surge_7d: 5\b/, 'complaint_surge_7d: 2').replace(/additive_fails: 1\b/, 'additive_fails: 3');
  await page.fill('#bt-param', '');
  await page.fill('#bt-rules', food);
  await page.fill('#bt-rules-name', 'food.yaml');
  await page.click('#bt-run');
  await page.waitForSelector('#bt-totals', { timeout: 120000 });
  assert.ok((await page.$$('#bt-added tbody tr')).length > 0, 'added leads listed');
  assert.ok((await page.$$('#bt-removed tbody tr')).length > 0, 'removed leads listed');
  await shot('20-backtest');
  assert.deepEqual(sent.map((b) => Object.keys(b).sort().join()), ['from,sweep,to', 'from,ruleset,ruleset_name,to']);
});

test('everyone: entity page and statute browser', async () => {
  await open(`leads/${encodeURIComponent(leadId)}`, '#timeline');
  const entityHref = await page.getAttribute('dl.facts a[href^="#/entities/"]', 'href');
  await open(entityHref.slice(2), 'table.leads');
  assert.ok(await page.$(`table.leads tr[data-lead="${leadId}"]`), 'the entity lists the lead');
  // its profile and state in words, times local
  const facts = await page.$$eval('dl.facts dt', (dt) => dt.map((x) => x.textContent));
  assert.ok(facts.includes('名称') && facts.includes('已应用事件'), `labels: ${facts}`);
  assert.doesNotMatch((await page.$$eval('dl.facts, table', (x) => x.map((e) => e.textContent))).join(' '), /UTC|events_applied/);
  await shot('13-entity');
  await open('statutes', '.law a');
  assert.match(await page.textContent('.law h3'), /^《中华人民共和国[\u4e00-\u9fff]+》/);
  await shot('14-statutes');
  // the metrology rules have two versions: the page compares them
  await page.click('.law a[href*="metrology-rules"]');
  await page.waitForSelector('#compare .sbs');
  assert.equal(await page.$$eval('section .clause', (c) => c.length), 2);
  await shot('15-statute-clause');
});

test('admin: users and a new token', async () => {
  await signIn(TOKENS.admin);
  await open('users', '#users table');
  await page.fill('#add-user input[name=name]', 'sun');
  await page.selectOption('#add-user select[name=role]', 'regulator');
  await page.fill('#add-user input[name=scope]', '3301');
  await page.click('#add-user button[type=submit]');
  await page.waitForSelector('#new-token');
  const users = await page.evaluate(async (token) => (await fetch('/api/users', { headers: { Authorization: `Bearer ${token}` } })).json(), TOKENS.admin);
  assert.deepEqual(users.users.find((u) => u.name === 'sun').scope, { departments: [], regions: ['3301'] }, 'the new user has the scope typed');
  await shot('16-users');
});

test('English switch', async () => {
  await signIn(TOKENS.wang);
  await page.click('#lang');
  await page.waitForFunction(() => document.querySelector('#nav a')?.textContent === 'Lead queue');
  await page.waitForSelector('table.leads');
  await shot('17-queue-english');
  await page.click('#lang');
  await page.waitForFunction(() => document.querySelector('#nav a')?.textContent === '线索队列');
});

test('the queue refreshes live as new leads arrive', async () => {
  await open('leads?status=&sort=-created', 'table.leads tbody tr');
  execFileSync('kcat', ['-P', '-b', process.env.RW_BROKER, '-t', 'regwatch.events', '-K', '|', '-l', process.env.RW_MORE_EVENTS]);
  await page.waitForSelector('tr.fresh', { timeout: 60000 });
  assert.match(await page.textContent('#queue-status'), /新到 \d+ 条线索/);
  await shot('18-queue-live');
});

test('on a phone (390 px) the pages fit the screen; wide tables scroll in their card', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(TOKENS.supervisor);
  for (const [hash, sel] of [['leads', 'table.leads tbody tr'], [`leads/${encodeURIComponent(leadId)}`, '#timeline'],
    ['review', '#review-pending'], ['stats', '#stats-table']]) {
    await open(hash, sel);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > 392 && !e.closest('table'))
      .slice(0, 5).map((e) => `${e.tagName}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).join('; '));
    assert.ok(width <= 392, `#/${hash} is ${width} px wide on a 390 px screen: ${wide}`);
    const tallest = await page.$$eval('#nav a', (a) => Math.max(...a.map((x) => x.getBoundingClientRect().height)));
    assert.ok(tallest < 40, `a header link is ${tallest} px tall (one character a line)`);
  }
  await shot('14-phone-queue');
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('no script errors on any page', () => {
  assert.deepEqual(pageErrors, []);
});
