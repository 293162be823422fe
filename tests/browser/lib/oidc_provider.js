// The real npm oidc-provider (tests/interop/oidc_op.js) on loopback HTTPS for the browser
// tests, with a throwaway test CA whose leaf certificate names localhost and 127.0.0.1. The
// CA certificate is what the gateway is told to trust; Chromium is not (the test's context
// ignores certificate errors instead), so nothing is added to any system trust store.
'use strict';

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { stopChild } = require('./steps');

const OP_SCRIPT = path.join(__dirname, '..', '..', 'interop', 'oidc_op.js');

function openssl(args, cwd) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

// A CA certificate and a server certificate it signed for localhost and 127.0.0.1, as PEM
// files in `dir`: { caCert, key, cert }.
function makeTestCa(dir) {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
    '-subj', '/CN=Gatehouse browser test CA', '-keyout', 'ca.key', '-out', 'ca.crt',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-subj', '/CN=localhost',
    '-keyout', 'op.key', '-out', 'op.csr'], dir);
  fs.writeFileSync(path.join(dir, 'op.ext'), [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '',
  ].join('\n'));
  openssl(['x509', '-req', '-in', 'op.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key',
    '-set_serial', '0x' + Date.now().toString(16), '-days', '2', '-sha256',
    '-extfile', 'op.ext', '-out', 'op.crt'], dir);
  return {
    caCert: path.join(dir, 'ca.crt'),
    key: path.join(dir, 'op.key'),
    cert: path.join(dir, 'op.crt'),
  };
}

class OidcProvider {
  // Makes the certificates at once (the gateway must trust `caCert` before it starts); the
  // provider itself runs from start().
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-oidc-op-'));
    this.tls = makeTestCa(this.dir);
    this.caCert = this.tls.caCert;
    this.name = 'oidc_op.js';
    this.log = '';
    this.child = null;
    this.issuer = '';
  }

  // Starts oidc_op.js with its own login form ("form" mode) for `clients` and `accounts`
  // (see oidc_op.js for their fields); resolves to the issuer, https://localhost:PORT.
  async start({ clients, accounts, login = 'form' }, timeoutMs = 20000) {
    if (!fs.existsSync(path.join(path.dirname(OP_SCRIPT), 'node_modules', 'oidc-provider'))) {
      throw new Error('tests/interop/node_modules/oidc-provider is missing: run scripts/setup ' +
        '(or npm ci --prefix tests/interop)');
    }
    const configFile = path.join(this.dir, 'op.json');
    fs.writeFileSync(configFile, JSON.stringify({
      port: 0, host: '127.0.0.1', issuer_host: 'localhost',
      tls: { key: this.tls.key, cert: this.tls.cert },
      clients, accounts, signing: ['RS256'], login,
    }));
    this.child = spawn(process.execPath, [OP_SCRIPT, '--config', configFile],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk) => { this.log += chunk; });
    this.issuer = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(
        `oidc_op.js was not ready within ${timeoutMs} ms:\n${this.log}`)), timeoutMs);
      const done = (fn, value) => { clearTimeout(timer); fn(value); };
      let out = '';
      this.child.stdout.setEncoding('utf8');
      this.child.stdout.on('data', (chunk) => {
        out += chunk;
        for (const line of out.split('\n')) {
          if (!line.startsWith('{')) continue;
          try {
            const message = JSON.parse(line);
            if (message.ready) done(resolve, message.issuer);
          } catch {
            // a partial line: wait for the rest
          }
        }
      });
      this.child.once('error', (error) => done(reject, error));
      this.child.once('exit', (code, signal) => done(reject, new Error(
        `oidc_op.js exited (${code ?? signal}) before it was ready:\n${this.log}`)));
    });
    return this.issuer;
  }

  // SIGTERM, then SIGKILL after a grace period; removes the certificates.
  async stop() {
    await stopChild(this.child, this.exited);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

module.exports = { OidcProvider, makeTestCa };
