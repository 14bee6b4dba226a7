// Baselines for the benchmark: a bare node:http server and a plain Express 5 route, each sending one
// constant Buffer of a given size. Run as a child process:
//   node --import tsx bench/lib/constServer.ts <http|express> <bytes> <port>
// It prints "listening" on stdout once ready, and exits on SIGTERM.

import http from 'node:http';
import express from 'express';

const [mode, bytesArg, portArg] = process.argv.slice(2);
const size = Number(bytesArg);
const port = Number(portArg);
if ((mode !== 'http' && mode !== 'express') || !Number.isInteger(size) || size < 0 || !Number.isInteger(port)) {
  process.stderr.write('usage: constServer.ts <http|express> <bytes> <port>\n');
  process.exit(2);
}

const body = Buffer.alloc(size, 'a');
let server: http.Server;
if (mode === 'http') {
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length });
    res.end(body);
  });
} else {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/', (_req, res) => {
    res.type('html').send(body);
  });
  server = http.createServer(app);
}
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write('listening\n'));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
