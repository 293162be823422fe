// Runs the real gatehouse binary for the browser tests: one-shot CLI commands, and a server on
// a free loopback port with its own database, SP key pair and metadata CA in a temporary folder.
'use strict';

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { stopChild } = require('./steps');

// A port nobody listens on right now: the kernel picks it for a listener that is closed at
// once. Another process could take it before gatehouse binds, which then fails loudly.
function freeLoopbackPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// A self-signed certificate and its key, written as PEM files; `altName` goes into
// subjectAltName so TLS clients that check the host accept it.
function makeCertificate(dir, name, subject, altName) {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
    '-subj', subject, '-keyout', key, '-out', cert];
  if (altName) args.push('-addext', `subjectAltName=${altName}`);
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return { key, cert };
}

class Gateway {
  // `binary`: path of the gatehouse executable. Nothing runs until start().
  constructor(binary) {
    this.binary = binary;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-browser-'));
    this.db = path.join(this.dir, 'g.db');
    this.name = 'gatehouse';
    this.log = '';
    this.child = null;
    this.port = 0;
    this.baseUrl = '';
    this.extraArgs = []; // more `serve` flags, set before start()
  }

  // Runs `gatehouse --db <db> ...args` to completion with `input` on standard input; returns
  // its standard output, throws with its standard error when it exits non-zero.
  cli(args, input = '') {
    try {
      return execFileSync(this.binary, ['--db', this.db, ...args], {
        input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      throw new Error(`gatehouse ${args.join(' ')} failed (exit ${error.status}): ` +
        `${error.stderr || error.message}`);
    }
  }

  // Generates the SP key pair and the metadata server's certificate (also the CA file the
  // gateway trusts for metadata URLs); returns the latter for the HTTPS metadata server.
  makeKeys() {
    this.sp = makeCertificate(this.dir, 'sp', '/CN=Gatehouse browser test SP');
    this.metadataTls = makeCertificate(this.dir, 'metadata', '/CN=127.0.0.1',
      'IP:127.0.0.1,DNS:localhost');
    this.caFile = path.join(this.dir, 'ca.pem');
    fs.copyFileSync(this.metadataTls.cert, this.caFile);
    return this.metadataTls;
  }

  // Adds the CA certificate in the PEM file `caCert` to those the gateway trusts for metadata
  // URLs and OpenID providers (a bundle: the metadata server's certificate stays); call it
  // before start().
  trustCa(caCert) {
    if (!this.sp) this.makeKeys();
    fs.appendFileSync(this.caFile, `\n${fs.readFileSync(caCert, 'utf8')}`);
  }

  // Starts `gatehouse serve` with the demo IdP and waits for its server.listening line.
  // Rejects with the server's log when it exits first or stays silent for `timeoutMs`.
  async start(timeoutMs = 20000) {
    if (!this.sp) this.makeKeys();
    this.port = await freeLoopbackPort();
    this.baseUrl = `http://127.0.0.1:${this.port}`;
    const args = ['--db', this.db, 'serve',
      '--listen', `127.0.0.1:${this.port}`, '--base-url', this.baseUrl,
      '--demo-idp', '--allow-private-metadata-urls', '--metadata-ca-file', this.caFile,
      '--sp-key', this.sp.key, '--sp-cert', this.sp.cert, ...this.extraArgs];
    this.child = spawn(this.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(
        `gatehouse did not log server.listening within ${timeoutMs} ms:\n${this.log}`)),
      timeoutMs);
      const done = (fn, value) => { clearTimeout(timer); fn(value); };
      this.child.stderr.setEncoding('utf8');
      this.child.stderr.on('data', (chunk) => {
        this.log += chunk;
        if (this.log.split('\n').some((line) => line.includes('"server.listening"'))) {
          done(resolve);
        }
      });
      this.child.once('error', (error) => done(reject, error));
      this.child.once('exit', (code, signal) => done(reject, new Error(
        `gatehouse exited (${code ?? signal}) before listening:\n${this.log}`)));
    });
  }

  // The server's log lines since `from` (an offset into the log), for failure messages.
  logSince(from = 0) {
    return this.log.slice(from);
  }

  // SIGTERM, then SIGKILL after a grace period; removes the temporary folder.
  async stop() {
    await stopChild(this.child, this.exited);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

module.exports = { Gateway, freeLoopbackPort };
