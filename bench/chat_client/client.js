// The chat benchmark's load generator (bench/chat.py starts it; `npm ci` installs `ws` first).
//
// Reads one JSON object on stdin:
//   {"pairs": [["ws://...sender", "ws://...receiver"], ...], "messages": N, "typing": T,
//    "origin": "http://...", "lost_after_ms": 10000}
// Every pair opens both sockets, then (all pairs at once) the sender sends N chat messages, one
// in flight at a time, each after T typing frames; a message counts as delivered when the
// receiver's socket gets the chat.message frame with its text, within lost_after_ms (else it is
// counted as lost and the next one leaves). Writes "open" on a line once every socket is open,
// then one JSON object on stdout:
//   {"latencies_ms": [...], "lost": n, "seconds": s, "cpu_ms": user+system of this process,
//    "unexpected_closes": n}
"use strict";

const { performance } = require("node:perf_hooks");
const WebSocket = require("ws");

function open(url, origin) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { origin, perMessageDeflate: false });
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });
}

class Receiver {
  // Waits for the chat.message frame of one text at a time on a socket.
  constructor(socket) {
    this.wanted = null;
    this.resolve = null;
    socket.on("message", (data) => {
      if (this.wanted === null) return;
      const frame = JSON.parse(data.toString());
      if (frame.type === "chat.message" && frame.data.text === this.wanted) {
        const resolve = this.resolve;
        this.wanted = this.resolve = null;
        resolve(true);
      }
    });
  }

  wait(text, timeoutMs) {
    return new Promise((resolve) => {
      this.wanted = text;
      const timer = setTimeout(() => {
        this.wanted = this.resolve = null;
        resolve(false);
      }, timeoutMs);
      this.resolve = (value) => {
        clearTimeout(timer);
        resolve(value);
      };
    });
  }
}

async function runPair(index, [senderUrl, receiverUrl], config, opened, started, results) {
  const sender = await open(senderUrl, config.origin);
  const receiverSocket = await open(receiverUrl, config.origin);
  opened();
  let closedEarly = false;
  for (const socket of [sender, receiverSocket]) {
    socket.on("close", () => {
      if (!results.done) closedEarly = true;
    });
  }
  const receiver = new Receiver(receiverSocket);
  const typing = JSON.stringify({ type: "chat.typing" });
  await started;
  for (let number = 0; number < config.messages; number++) {
    for (let t = 0; t < config.typing; t++) sender.send(typing);
    const text = `bench ${index} ${number}`;
    const sentAt = performance.now();
    sender.send(JSON.stringify({ type: "chat.message", payload: { text } }));
    if (await receiver.wait(text, config.lost_after_ms)) {
      results.latencies.push(performance.now() - sentAt);
    } else {
      results.lost += 1;
    }
  }
  const finishedAt = performance.now();
  if (closedEarly) results.unexpectedCloses += 1;
  return { finishedAt, sockets: [sender, receiverSocket] };
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const config = JSON.parse(Buffer.concat(chunks).toString());
  const results = { latencies: [], lost: 0, unexpectedCloses: 0, done: false };
  let start;
  const started = new Promise((resolve) => (start = resolve));
  let allOpen;
  const everyPairOpen = new Promise((resolve) => (allOpen = resolve));
  let openPairs = 0;
  const opened = () => {
    openPairs += 1;
    if (openPairs === config.pairs.length) allOpen();
  };
  const pairs = config.pairs.map((pair, index) =>
    runPair(index, pair, config, opened, started, results)
  );
  // Every socket open before the first message leaves (a connect error fails the run).
  await Promise.race([everyPairOpen, Promise.all(pairs)]);
  process.stdout.write("open\n"); // the caller may start its profiler now
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  start();
  const finished = await Promise.all(pairs);
  const seconds = (Math.max(...finished.map((f) => f.finishedAt)) - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  results.done = true;
  for (const { sockets } of finished) for (const socket of sockets) socket.close();
  process.stdout.write(
    JSON.stringify({
      latencies_ms: results.latencies,
      lost: results.lost,
      seconds,
      cpu_ms: (cpu.user + cpu.system) / 1000,
      unexpected_closes: results.unexpectedCloses,
    }) + "\n"
  );
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
