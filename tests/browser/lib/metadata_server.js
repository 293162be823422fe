// An HTTPS server on 127.0.0.1 that publishes the demo IdP's metadata at a URL of its own, so
// the browser tests can configure the provider the way an admin does: by pasting a metadata URL.
'use strict';

const fs = require('node:fs');
const https = require('node:https');

class MetadataServer {
  // `tls`: { key, cert } PEM file paths; `sourceUrl`: where the metadata bytes come from
  // (the gateway's /demo-idp/metadata), read again on every request so the demo IdP only has
  // to exist by the time the gateway fetches.
  constructor(tls, sourceUrl) {
    this.sourceUrl = sourceUrl;
    this.requests = 0;
    this.server = https.createServer({
      key: fs.readFileSync(tls.key), cert: fs.readFileSync(tls.cert),
    }, (req, res) => this.answer(req, res));
  }

  async answer(req, res) {
    this.requests += 1;
    if (req.method !== 'GET' || req.url !== '/idp/metadata.xml') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not here\n');
      return;
    }
    try {
      const source = await fetch(this.sourceUrl);
      const body = Buffer.from(await source.arrayBuffer());
      if (!source.ok) throw new Error(`${this.sourceUrl} answered ${source.status}`);
      res.writeHead(200, { 'Content-Type': 'application/samlmetadata+xml' }).end(body);
    } catch (error) {
      res.writeHead(502, { 'Content-Type': 'text/plain' }).end(`${error.message}\n`);
    }
  }

  // Listens on a free loopback port; resolves to the metadata URL.
  listen() {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.url = `https://127.0.0.1:${this.server.address().port}/idp/metadata.xml`;
        resolve(this.url);
      });
    });
  }

  close() {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}

module.exports = { MetadataServer };
