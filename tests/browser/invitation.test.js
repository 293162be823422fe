// An invitation in Chromium: an owner invites Bea on the members page of an org that signs in
// with passwords; the gateway mails the invitation through the real SMTP sink
// (tests/interop/smtp_sink.js); the test reads the message the sink received, Bea opens its
// link, chooses a password and lands in the organization, and the owner's members page shows
// her active with no invitation pending. Pages are screenshot-checked at two widths.
//
//   node tests/browser/invitation.test.js --gatehouse build/gatehouse --out build/browser-screenshots
'use strict';

const assert = require('node:assert/strict');
const path = require('node:path');
const { describe, before, after } = require('node:test');

const { Gateway } = require('./lib/gateway');
const { Mailbox } = require('./lib/mailbox');
const { launch, newContext, newPage, PageChecker } = require('./lib/browser');
const {
  storyArguments, storySteps, pageText, expectText, expectPath,
} = require('./lib/steps');

const { binary: BINARY, outDir } = storyArguments();
// Its own folder beside the other stories' screenshots, which PageChecker would clear.
const OUT_DIR = path.join(outDir, 'invitation');

const ORG = 'acme';
const OWNER = { email: 'owner@acme.test', password: 'owner-password-4812' };
const BEA = { email: 'bea@acme.test', password: 'bea-chose-this-password-3307' };

const gateway = new Gateway(BINARY);
const mailbox = new Mailbox();
const checker = new PageChecker(OUT_DIR);
let browser;
let owner; // { context, page } of the owner signed in with a password
let link; // the invitation link as mailed
const { step, established } = storySteps({ checker, logs: [gateway, mailbox], timeout: 60000 });

// The members page row of `email` in the table `table` ("members" or "invitations").
async function rowOf(page, table, email) {
  await page.goto(`${gateway.baseUrl}/settings/${ORG}/members/`);
  return page.locator(`table.${table} tbody tr`).filter({ hasText: email });
}

describe('An invitation in Chromium', { concurrency: 1 }, () => {
  before(async () => {
    await mailbox.start();
    gateway.cli(['org', 'create', ORG, '--name', 'Acme', '--owner-email', OWNER.email]);
    gateway.cli(['member', 'set-password', '--org', ORG, '--email', OWNER.email,
      '--password-stdin'], `${OWNER.password}\n`);
    gateway.extraArgs = ['--smtp-url', mailbox.url, '--smtp-from', 'gatehouse@acme.test'];
    await gateway.start();
    browser = await launch();
  });

  after(async () => {
    if (browser) await browser.close();
    await gateway.stop();
    await mailbox.stop();
    process.stdout.write(`# screenshots: ${checker.files.length} in ${OUT_DIR}\n`);
  });

  step('1. the owner signs in and invites Bea on the members page', [], async () => {
    const context = await newContext(browser);
    const page = await newPage(context);
    await page.goto(`${gateway.baseUrl}/auth/login/${ORG}/?method=password`);
    await page.getByLabel('Email', { exact: true }).fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectPath(page, `/organizations/${ORG}/`);
    owner = { context, page };

    await page.goto(`${gateway.baseUrl}/settings/${ORG}/members/`);
    await page.locator('#invite-email').fill(BEA.email);
    await page.getByRole('button', { name: 'Invite member', exact: true }).click();
    await expectText(page, 'The member was invited.');
    const pending = await rowOf(page, 'invitations', BEA.email);
    assert.equal(await pending.count(), 1, `no pending invitation for Bea; ${await pageText(page)}`);
    await checker.check(page, 'members-invitation-pending');
    established.add('invited');
  });

  step('2. the SMTP sink receives the invitation with its link', ['invited'], async () => {
    const mail = await mailbox.waitFor(BEA.email);
    assert.match(mail.headers.subject, /Acme/);
    assert.match(mail.text, /invited to Acme by/);
    const found = /(http:\/\/127\.0\.0\.1:\d+\/auth\/login\/acme\/\?invite=[A-Za-z0-9_-]+)/
      .exec(mail.text);
    assert.ok(found, `no invitation link in the text part: ${mail.text}`);
    link = found[1];
    assert.ok(link.startsWith(gateway.baseUrl), `the link ${link} is not on ${gateway.baseUrl}`);
    // mstch writes '/', '=' and '&' in attribute values as character references, which a
    // mail client reads back as the characters themselves.
    const hrefs = mail.html.replace(/&#x2F;/g, '/').replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    assert.ok(hrefs.includes(`href="${link}"`), 'the HTML part does not link the same URL');

    // The outbox on the members page says the mail went.
    await owner.page.goto(`${gateway.baseUrl}/settings/${ORG}/members/`);
    const sent = owner.page.locator('#outgoing-mail tbody tr').filter({ hasText: BEA.email });
    await sent.filter({ hasText: 'sent' }).first().waitFor({ state: 'visible' }).catch(async () => {
      assert.fail(`the outbox does not show the invitation as sent; ${await pageText(owner.page)}`);
    });
    established.add('mail');
  });

  step('3. Bea opens the link, chooses a password and lands in the organization', ['mail'],
    async () => {
      const context = await newContext(browser);
      try {
        const page = await newPage(context);
        await page.goto(link);
        await page.getByRole('heading', { level: 1, name: 'Join Acme' }).waitFor()
          .catch(async () => assert.fail(`expected the Join Acme page; ${await pageText(page)}`));
        assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), BEA.email);
        await checker.check(page, 'invitation-choose-password');
        await page.getByLabel('Password', { exact: true }).fill(BEA.password);
        await page.getByLabel('Password again', { exact: true }).fill(BEA.password);
        await page.getByRole('button', { name: 'Join Acme', exact: true }).click();
        await expectPath(page, `/organizations/${ORG}/`);
        assert.equal((await page.locator('.member-email').innerText()).trim(), BEA.email);
        await checker.check(page, 'invitation-landing');
      } finally {
        await context.close();
      }
      established.add('accepted');
    });

  step('4. the members page shows Bea active and no invitation pending', ['accepted'],
    async () => {
      const row = await rowOf(owner.page, 'members', BEA.email);
      assert.equal(await row.count(), 1);
      assert.match(await row.locator('td[data-label="State"]').innerText(), /active/i);
      const pending = await rowOf(owner.page, 'invitations', BEA.email);
      assert.equal(await pending.count(), 0, 'the invitation is still listed as pending');
      await checker.check(owner.page, 'members-invitation-accepted');
    });

  step('5. the link does not work a second time', ['accepted'], async () => {
    const context = await newContext(browser);
    try {
      const page = await newPage(context);
      await page.goto(link);
      await expectText(page, 'This invitation link was already used.');
      await checker.check(page, 'invitation-used');
    } finally {
      await context.close();
    }
  });
});
