// Runs ui/static/movers.js under Node for the fast-tier parity test (tests/unit/test_movers_parity.py).
//
// Usage: node movers_node.mjs /path/to/movers.js
// Reads one JSON request per line on stdin and writes one JSON answer per line on stdout:
//   {"engine": <engine_payload>, "params": {...}, "base": {...}}
//   -> {"outcome": [...], "masked": [...], "conditions": [{"key", "threshold", "met"}], "movers": [[...], ...]}
//   {"format": [1.5, ...]} -> {"formatted": ["1,5", ...]}   (movers.js formatNumber)
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

const source = readFileSync(process.argv[2]);
const m = await import("data:text/javascript;base64," + source.toString("base64"));

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    const request = JSON.parse(line);
    if (request.format) {
      process.stdout.write(JSON.stringify({ formatted: request.format.map(x => m.formatNumber(x)) }) + "\n");
      continue;
    }
    const { engine, params, base } = request;
    const res = m.classify(engine, m.withOverrides(engine.rules, params));
    answer = {
      outcome: res.outcome,
      masked: res.masked,
      conditions: res.conditions.map(c => ({
        key: c.key,
        threshold: c.threshold.map(t => (Number.isNaN(t) ? null : t)),
        met: c.met,
      })),
      movers: m.movers(engine, base, params),
    };
  } catch (err) {
    answer = { error: String(err && err.stack || err) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
