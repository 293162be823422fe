// The mailbox of a browser story: the real SMTP sink (tests/interop/smtp_sink.js, npm
// smtp-server on loopback) in a child process, and the messages it kept, read back from
// its .eml files with their text and HTML parts decoded.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { stopChild } = require('./steps');

const SINK = path.join(__dirname, '..', '..', 'interop', 'smtp_sink.js');

// Splits a message (or a part) at its first blank line into headers (lowercase names,
// continuation lines unfolded) and body.
function splitHeaders(raw) {
  const text = raw.replace(/\r\n/g, '\n');
  const blank = text.indexOf('\n\n');
  const head = blank < 0 ? text : text.slice(0, blank);
  const body = blank < 0 ? '' : text.slice(blank + 2);
  const headers = {};
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      const name = line.slice(0, colon).trim().toLowerCase();
      if (!(name in headers)) headers[name] = line.slice(colon + 1).trim();
    }
  }
  return { headers, body };
}

function decodeBody(headers, body) {
  const encoding = (headers['content-transfer-encoding'] || '').toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    return Buffer.from(body.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/gi,
      (_, hex) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
  }
  return body;
}

// { headers, text, html } of a received message.
function parseMail(raw) {
  const { headers, body } = splitHeaders(raw);
  const mail = { headers, text: '', html: '' };
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] || '');
  const parts = boundary
    ? body.split(`--${boundary[1]}`).slice(1).filter((part) => !part.startsWith('--'))
    : [raw];
  for (const part of parts) {
    const parsed = splitHeaders(part.replace(/^\r?\n/, ''));
    const type = (parsed.headers['content-type'] || 'text/plain').toLowerCase();
    const decoded = decodeBody(parsed.headers, parsed.body);
    if (type.startsWith('text/html')) mail.html = decoded;
    else if (type.startsWith('text/plain')) mail.text = decoded;
  }
  return mail;
}

class Mailbox {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-mailbox-'));
    this.name = 'smtp sink';
    this.log = '';
    this.child = null;
    this.port = 0;
  }

  // Starts the sink and waits for the port it prints first.
  async start(timeoutMs = 15000) {
    this.child = spawn(process.execPath, [SINK, '--dir', this.dir],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk) => { this.log += chunk; });
    this.port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(
        `the SMTP sink printed no port within ${timeoutMs} ms:\n${this.log}`)), timeoutMs);
      let out = '';
      this.child.stdout.setEncoding('utf8');
      this.child.stdout.on('data', (chunk) => {
        out += chunk;
        const line = out.split('\n')[0];
        if (out.includes('\n')) { clearTimeout(timer); resolve(Number(line)); }
      });
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the SMTP sink exited (${code}):\n${this.log}`));
      });
    });
  }

  get url() { return `smtp://127.0.0.1:${this.port}`; }

  // The messages received so far, in order.
  messages() {
    return fs.readdirSync(this.dir).filter((name) => name.endsWith('.eml')).sort()
      .map((name) => parseMail(fs.readFileSync(path.join(this.dir, name), 'utf8')));
  }

  // Waits for a message to `address`; fails with what did arrive after `timeoutMs`.
  async waitFor(address, timeoutMs = 30000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages().find((mail) => (mail.headers.to || '').includes(address));
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`no mail to ${address} within ${timeoutMs} ms; received: ` +
          JSON.stringify(this.messages().map((mail) => mail.headers.to)));
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async stop() {
    await stopChild(this.child, this.exited);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

module.exports = { Mailbox, parseMail };
