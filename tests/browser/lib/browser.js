// Debian's Chromium driven by playwright-core for the browser tests: launched headless with
// networking to other hosts off, contexts that can only reach the loopback gateway, and the
// per-page check (screenshots at two widths, no overflow, a visible heading, no console errors).
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.GATEHOUSE_CHROMIUM || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-features=Translate,OptimizationHints,MediaRouter',
];

const VIEWPORTS = [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);

// Reports every Content-Security-Policy violation as a console error, which the console
// listener below collects. Init scripts are injected by the browser, so the page's CSP
// (no inline scripts) does not apply to this one.
function reportCspViolations() {
  document.addEventListener('securitypolicyviolation', (event) => {
    console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
  });
}

async function launch() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run scripts/setup (installs Debian's chromium)`);
  }
  // The default profile is a fresh temporary user-data-dir that Playwright removes on close.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

// What went wrong on a page between two checks: console errors, uncaught exceptions and
// requests to other hosts (aborted before they leave the machine).
function problemsOf(page) {
  if (!page.gatehouseProblems) {
    page.gatehouseProblems = [];
    page.on('console', (message) => {
      // Chromium logs a 4xx/5xx answer to the navigation itself as a failed resource; those
      // statuses are deliberate (a refused sign-in is a 401). Failed subresources still count.
      const ownStatus = message.text().startsWith('Failed to load resource: the server ' +
        'responded with a status of') && message.location().url === page.url();
      if (message.type() === 'error' && !ownStatus) {
        page.gatehouseProblems.push(`console error on ${page.url()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => {
      page.gatehouseProblems.push(`uncaught exception on ${page.url()}: ${error.message}`);
    });
  }
  return page.gatehouseProblems;
}

// A new browser context (its own cookies) whose requests may only go to the loopback host;
// everything else is aborted and recorded on the page that asked for it.
async function newContext(browser, options = {}) {
  const context = await browser.newContext({
    viewport: VIEWPORTS[0][1], ...options,
  });
  context.setDefaultTimeout(10000);
  context.setDefaultNavigationTimeout(15000);
  await context.addInitScript(reportCspViolations);
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    const local = (url.protocol === 'http:' || url.protocol === 'https:') &&
      LOOPBACK_HOSTS.has(url.hostname);
    if (local) return route.continue();
    const frame = route.request().frame();
    const page = frame && frame.page();
    if (page) problemsOf(page).push(`request to another host blocked: ${url.href}`);
    return route.abort('blockedbyclient');
  });
  context.on('page', (page) => problemsOf(page));
  return context;
}

async function newPage(context) {
  const page = await context.newPage();
  problemsOf(page);
  return page;
}

// Width and height of a PNG, read from its IHDR chunk.
function pngSize(png) {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(png.length > 24 && png.subarray(0, 8).equals(signature), 'screenshot is not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

// Writes the screenshots of every checked page into one folder, numbered in story order.
class PageChecker {
  constructor(outDir) {
    this.outDir = outDir;
    this.count = 0;
    this.files = [];
    this.failures = [];
    fs.mkdirSync(outDir, { recursive: true });
    // Screenshots of an earlier run would mix with this one's.
    for (const file of fs.readdirSync(outDir)) {
      if (file.endsWith('.png')) fs.rmSync(path.join(outDir, file));
    }
  }

  // Screenshot-checks the page as it is now, at desktop and phone width: full-page PNGs named
  // after `name`, no horizontal overflow, the main heading visible, no console errors, CSP
  // violations or blocked requests since the previous check. A failed check does not stop
  // the story (the next pages are still worth checking): it is kept for takeFailures().
  // `options.ignore`: RegExps of problems expected on a page that is not Gatehouse's own (an
  // identity provider's page loading a web font from the internet, blocked here).
  async check(page, name, options = {}) {
    await page.waitForLoadState('load');
    this.count += 1;
    const failures = [];
    const original = page.viewportSize();
    for (const [label, viewport] of VIEWPORTS) {
      await page.setViewportSize(viewport);
      const layout = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
      }));
      if (layout.scrollWidth > layout.innerWidth) {
        failures.push(`${name} at ${label} width overflows horizontally: scrollWidth ` +
          `${layout.scrollWidth} > innerWidth ${layout.innerWidth}`);
      }
      const heading = page.locator('h1').first();
      if (!(await heading.isVisible())) {
        failures.push(`${name} at ${label} width has no visible main heading (h1)`);
      }
      const file = path.join(this.outDir,
        `${String(this.count).padStart(2, '0')}-${name}-${label}.png`);
      const png = await page.screenshot({ path: file, fullPage: true });
      const size = pngSize(png);
      if (layout.scrollWidth <= layout.innerWidth &&
          (size.width !== viewport.width || size.height < 1)) {
        failures.push(`${name} at ${label} width: screenshot is ${size.width}x${size.height}`);
      }
      if (fs.statSync(file).size === 0) failures.push(`${file} is empty`);
      this.files.push(file);
    }
    await page.setViewportSize(original || VIEWPORTS[0][1]);
    const ignore = options.ignore || [];
    const problems = problemsOf(page).splice(0)
      .filter((problem) => !ignore.some((pattern) => pattern.test(problem)));
    failures.push(...problems);
    this.failures.push(...failures.map((failure) => `${failure} (${page.url()})`));
  }

  // The failed page checks since the previous call.
  takeFailures() {
    return this.failures.splice(0);
  }
}

module.exports = { launch, newContext, newPage, PageChecker, VIEWPORTS };
