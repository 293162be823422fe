// The shape of a browser story: numbered steps that build on each other, and the page
// expectations they use, each failing with what the page showed instead.
'use strict';

const assert = require('node:assert/strict');
const path = require('node:path');
const { it } = require('node:test');

// The value after `name` on the command line, or `fallback`.
function option(name, fallback) {
  const index = process.argv.indexOf(name);
  return index > 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback;
}

// The gatehouse binary a story drives (--gatehouse, GATEHOUSE_BINARY, or build/gatehouse) and
// the folder its screenshots go to (--out, or browser-screenshots beside the binary).
function storyArguments() {
  const binary = path.resolve(option('--gatehouse', process.env.GATEHOUSE_BINARY ||
    path.join(__dirname, '..', '..', '..', 'build', 'gatehouse')));
  const outDir = path.resolve(option('--out', path.join(path.dirname(binary),
    'browser-screenshots')));
  return { binary, outDir };
}

// The visible text of the page's <main> (or body), shortened, for failure messages.
async function pageText(page) {
  const main = (await page.locator('main').count()) ? page.locator('main') : page.locator('body');
  const text = (await main.innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
  return `${page.url()} shows: "${text.slice(0, 700)}"`;
}

// Waits for `text` (string: substring; RegExp) to be visible.
async function expectText(page, text, timeout = 10000) {
  try {
    await page.getByText(text).first().waitFor({ state: 'visible', timeout });
  } catch {
    assert.fail(`expected ${text} to be visible; ${await pageText(page)}`);
  }
}

// Waits until the page is at `pathname`.
async function expectPath(page, pathname, timeout = 15000) {
  try {
    await page.waitForURL((url) => url.pathname === pathname, { timeout });
  } catch {
    assert.fail(`expected to be at ${pathname}; ${await pageText(page)}`);
  }
}

// Steps of one story. `logs` are the servers whose output a failure quotes: objects with
// `name` and `log` (a growing string). Each step is skipped when a step it needs (by the
// names earlier steps add to `established`) failed, so one missing page does not bury the
// report in follow-on failures; a failure carries the page checks that failed and the last
// log lines each server wrote during the step.
function storySteps({ checker, logs, timeout = 120000 }) {
  const established = new Set();
  function step(name, needs, body) {
    it(name, { timeout }, async (t) => {
      const missing = needs.filter((what) => !established.has(what));
      if (missing.length) {
        t.skip(`needs ${missing.join(', ')} from an earlier step`);
        return;
      }
      const starts = logs.map((server) => server.log.length);
      try {
        await body(t);
        assert.deepEqual(checker.takeFailures(), [], 'page checks failed');
      } catch (error) {
        const pageFailures = checker.takeFailures();
        if (pageFailures.length) {
          error.message += `\nand page checks failed:\n${pageFailures.join('\n')}`;
        }
        logs.forEach((server, i) => {
          const lines = server.log.slice(starts[i]).trim().split('\n').slice(-15).join('\n');
          if (lines) error.message += `\n--- ${server.name} log during this step (last lines) ---\n${lines}`;
        });
        throw error;
      }
    });
  }
  return { step, established };
}

// Ends a child process: SIGTERM, then SIGKILL after a grace period. `exited` is a promise
// that settles when it has exited.
async function stopChild(child, exited) {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

module.exports = {
  storyArguments, storySteps, pageText, expectText, expectPath, stopChild,
};
