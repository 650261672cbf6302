// The runtime's own ceiling for the ingest benchmark: reads the body, answers 200, stores nothing.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 });
    res.end('{"ok":true}');
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address() as { port: number };
  process.stdout.write(`receiver: http://127.0.0.1:${addr.port}/hooks/bare\nready\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
