// Opens N Server-Sent Events connections over raw sockets (a separate process, so the server's
// file descriptors and event loop are its own), then reports when each one sees `marker`.
// Protocol with the parent over IPC: {connect} → {ready}; {watch, marker} → {arrived, times}.
import { connect } from 'node:net';

const [host, portText, path, countText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const sockets = [];
let ready = 0;
let marker = null;
let arrivals = [];

function open() {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port }, () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAccept: text/event-stream\r\n\r\n`);
    });
    s.setNoDelay(true);
    let first = false;
    let seen = false;
    let tail = '';
    s.setEncoding('utf8');
    s.on('data', (chunk) => {
      const text = tail + chunk;
      tail = text.slice(-200);
      if (!first && text.includes('event: availability')) {
        first = true;
        ready++;
        resolve();
      }
      if (marker !== null && !seen && text.includes(marker)) {
        seen = true;
        arrivals.push(Date.now());
        if (arrivals.length === count) process.send({ type: 'arrived', times: arrivals });
      }
    });
    s.on('error', reject);
    sockets.push(s);
  });
}

process.on('message', async (msg) => {
  if (msg.type === 'connect') {
    for (let i = 0; i < count; i += 500) await Promise.all(Array.from({ length: Math.min(500, count - i) }, open));
    process.send({ type: 'ready', ready });
  } else if (msg.type === 'watch') {
    marker = msg.marker;
    arrivals = [];
    process.send({ type: 'watching' });
  } else if (msg.type === 'close') {
    for (const s of sockets) s.destroy();
    process.exit(0);
  }
});
