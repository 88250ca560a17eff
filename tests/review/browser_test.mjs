// Loads the HTML page of a golden plan in headless Chromium (the Debian
// package, /usr/bin/chromium) and checks it through the DOM over the DevTools
// protocol (--remote-debugging-pipe: no port, no npm package):
//   - the summary counts equal the plan file's,
//   - clicking a graph node opens its action and its diff is visible,
//   - a filter hides exactly the actions that do not match,
//   - the SVG has one node per action, each linking to its section,
//   - the page asks the network for nothing,
//   - without JavaScript every action and diff is still in the page.
// A screenshot is kept in the output directory. Missing Chromium fails.
//
// usage: node browser_test.mjs PAIPLAN_BINARY PLAN_FILE OUT_DIR
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [paiplan, planFile, outDir] = process.argv.slice(2);
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
let failures = 0;
function check(ok, what) {
  console.log((ok ? 'ok   ' : 'FAIL ') + what);
  if (!ok) failures++;
}

fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
if (!fs.existsSync(chromium)) {
  console.error(`FAIL ${chromium} is missing: install Debian's chromium (.ci/install-deps.sh)`);
  process.exit(1);
}
const page = path.join(outDir, 'plan.html');
const show = spawnSync(paiplan, ['show', planFile, '--format', 'html'], { encoding: 'utf8', maxBuffer: 1 << 28 });
if (show.status !== 0) {
  console.error('FAIL paiplan show --format html: ' + show.stderr);
  process.exit(1);
}
fs.writeFileSync(page, show.stdout);
const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
const changing = plan.actions.filter((a) => a.action !== 'no-op');

// A browser on its own profile, talking DevTools over fds 3 (in) and 4 (out).
class Browser {
  constructor() {
    this.profile = fs.mkdtempSync(path.join(outDir, 'profile-'));
    this.proc = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--user-data-dir=' + this.profile, '--remote-debugging-pipe', 'about:blank'],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    this.stderr = '';
    this.proc.stdio[2].on('data', (d) => { this.stderr += d; });
    this.next = 1; this.waiting = new Map(); this.events = []; this.buf = '';
    this.proc.stdio[4].on('data', (d) => {
      this.buf += d;
      let i;
      while ((i = this.buf.indexOf('\0')) >= 0) {
        const msg = JSON.parse(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 1);
        if (msg.id && this.waiting.has(msg.id)) {
          const { resolve, reject } = this.waiting.get(msg.id);
          this.waiting.delete(msg.id);
          msg.error ? reject(new Error(JSON.stringify(msg.error))) : resolve(msg.result);
        } else if (msg.method) {
          this.events.push(msg);
        }
      }
    });
  }
  send(method, params = {}, sessionId) {
    const id = this.next++;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    this.proc.stdio[3].write(JSON.stringify(msg) + '\0');
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      setTimeout(() => reject(new Error(method + ' timed out; chromium said: ' + this.stderr.slice(-2000))), 30000);
    });
  }
  async waitFor(pred, what) {
    for (let t = 0; t < 300; t++) {
      if (this.events.some(pred)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no ' + what);
  }
  async open(url, { javascript = true } = {}) {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    this.session = sessionId;
    await this.send('Page.enable', {}, sessionId);
    await this.send('Network.enable', {}, sessionId);
    if (!javascript) await this.send('Emulation.setScriptExecutionDisabled', { value: true }, sessionId);
    await this.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false }, sessionId);
    this.events = [];
    await this.send('Page.navigate', { url }, sessionId);
    await this.waitFor((e) => e.method === 'Page.loadEventFired' && e.sessionId === sessionId, 'load event');
  }
  async eval(expr) {
    const r = await this.send('Runtime.evaluate', { expression: expr, returnByValue: true, awaitPromise: true }, this.session);
    if (r.exceptionDetails) throw new Error(expr + ': ' + JSON.stringify(r.exceptionDetails));
    return r.result.value;
  }
  close() { this.proc.kill('SIGKILL'); }
}

const b = new Browser();
try {
  const url = 'file://' + path.resolve(page);
  await b.open(url);
  const want = { add: 0, change: 0, destroy: 0 };
  for (const a of changing) {
    if (a.action === 'create' || a.action === 'replace') want.add++;
    if (a.action === 'update') want.change++;
    if (a.action === 'delete' || a.action === 'replace') want.destroy++;
  }
  const total = await b.eval(`(() => { const r = document.getElementById('summary-total');
    return { add: +r.querySelector('.add').textContent, change: +r.querySelector('.change').textContent,
             destroy: +r.querySelector('.destroy').textContent }; })()`);
  check(JSON.stringify(total) === JSON.stringify(want), `summary totals ${JSON.stringify(total)} = plan ${JSON.stringify(want)}`);
  const line = await b.eval(`document.getElementById('summary-line').textContent`);
  check(line === `Plan: ${want.add} to add, ${want.change} to change, ${want.destroy} to destroy.`, 'summary line: ' + line);

  const diffsWithJs = await b.eval(`document.querySelectorAll('pre.diff').length`);
  // The graph: one node per changing action, each linking to its section.
  const nodes = await b.eval(`Array.from(document.querySelectorAll('#graph svg g.node')).map((g) => ({
      title: g.querySelector('title').textContent,
      href: (g.querySelector('a') || { getAttribute: () => '' }).getAttribute('xlink:href'),
      cls: g.getAttribute('class') }))`);
  check(nodes.length === changing.length, `svg nodes ${nodes.length} = changing actions ${changing.length}`);
  const titles = nodes.map((n) => n.title).sort();
  check(JSON.stringify(titles) === JSON.stringify(changing.map((a) => a.address).sort()), 'one svg node per action address');
  const linked = await b.eval(`Array.from(document.querySelectorAll('#graph svg g.node a')).every((a) => {
      const s = document.getElementById(a.getAttribute('xlink:href').slice(1)); return s && s.tagName === 'DETAILS'; })`);
  check(linked, 'every node links to an action section');
  for (const a of changing) {
    const n = nodes.find((x) => x.title === a.address);
    check(n && n.cls === 'node ' + a.action, `node of ${a.address} is classed ${a.action}`);
  }

  // Click a node of a render update: its section opens and the diff shows.
  const target = changing.find((a) => a.diff) || changing[0];
  const clicked = await b.eval(`(() => {
      const g = Array.from(document.querySelectorAll('#graph svg g.node')).find((g) => g.querySelector('title').textContent === ${JSON.stringify(target.address)});
      const sec = document.getElementById(g.querySelector('a').getAttribute('xlink:href').slice(1));
      const before = sec.open;
      g.querySelector('a').dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
      return new Promise((r) => setTimeout(() => {
        const d = sec.querySelector('pre.diff'); const box = d ? d.getBoundingClientRect() : { height: 0 };
        const add = d && d.querySelector('.add');
        r({ before, open: sec.open, height: box.height, inView: box.top < innerHeight && box.bottom > 0,
            addColor: add ? getComputedStyle(add).backgroundColor : '' });
      }, 300)); })()`);
  check(clicked.before === false && clicked.open === true, `clicking the node of ${target.address} opened its section`);
  check(clicked.height > 0 && clicked.inView, 'its diff is visible in the viewport');
  check(clicked.addColor === 'rgb(220, 245, 220)', 'added lines are highlighted: ' + clicked.addColor);
  await b.send('Page.captureScreenshot', { format: 'png' }, b.session).then((s) =>
    fs.writeFileSync(path.join(outDir, 'plan.png'), Buffer.from(s.data, 'base64')));

  // Filter by kind, then by action: exactly the non-matching sections hidden.
  for (const [field, pick] of [['kind', 'render'], ['action', 'delete'], ['service', changing.find((a) => a.address.startsWith('service.')).address.slice(8)]]) {
    const r = await b.eval(`(() => { const s = document.getElementById('filter-${field}');
        s.value = ${JSON.stringify(pick)}; s.dispatchEvent(new Event('change'));
        const all = Array.from(document.querySelectorAll('details.action'));
        const visible = all.filter((d) => d.offsetParent !== null).map((d) => d.querySelector('code').textContent);
        s.value = ''; s.dispatchEvent(new Event('change'));
        return { visible, after: all.filter((d) => d.offsetParent !== null).length }; })()`);
    const key = { kind: (a) => a.address.split('.')[0], action: (a) => a.action,
      service: (a) => (a.address.startsWith('service.') ? a.address.slice(8) : a.address.startsWith('render.') ? a.address.slice(7).split('/')[0] : '') }[field];
    const expect = changing.filter((a) => key(a) === pick).map((a) => a.address);
    check(expect.length > 0 && expect.length < changing.length, `filter ${field}=${pick} has something to hide`);
    check(JSON.stringify(r.visible) === JSON.stringify(expect), `filter ${field}=${pick} shows ${JSON.stringify(r.visible)}`);
    check(r.after === changing.length, 'clearing the filter shows every action again');
  }
  const requests = b.events.filter((e) => e.method === 'Network.requestWillBeSent' && !e.params.request.url.startsWith('file:'));
  check(requests.length === 0, 'no network request: ' + requests.map((e) => e.params.request.url).join(' '));

  // Without JavaScript: the filters stay hidden, every action and diff is there.
  await b.open(url, { javascript: false });
  const nojs = await b.eval(`({ count: document.getElementById('shown-count').textContent, filters: document.getElementById('filters').offsetParent === null,
      sections: document.querySelectorAll('details.action').length, diffs: document.querySelectorAll('pre.diff').length,
      nodes: document.querySelectorAll('#graph svg g.node').length })`);
  check(nojs.filters, 'without JavaScript the filter form is hidden');
  check(nojs.count === '', 'without JavaScript no script ran');
  check(nojs.sections === changing.length && nojs.nodes === changing.length, 'without JavaScript every action and node is there');
  check(nojs.diffs === diffsWithJs && nojs.diffs > 0, `without JavaScript the ${diffsWithJs} diffs are there`);
} catch (e) {
  check(false, e.stack || String(e));
} finally {
  b.close();
}
console.log(failures ? `${failures} check(s) failed` : 'all checks passed; screenshot: ' + path.join(outDir, 'plan.png'));
process.exit(failures ? 1 : 0);
