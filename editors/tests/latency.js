#!/usr/bin/env node
// Keystroke latency of `sparklint lsp` as VS Code's client libraries see
// it: a separate server process on stdio, vscode-jsonrpc framing and
// JSON.parse, pull diagnostics naming the previous report.
//
// It builds the file the Go benchmark builds (lsp/testdata/keystrokes:
// header.py, then block.py numbered until LINES lines), opens it, and
// types a statement again and again on a new line in the middle of a
// function, with VS Code's auto-closing of brackets and quotes (typing a
// closer over the inserted one is no edit). After each edit it pulls the
// diagnostics; the time from sending didChange to having the parsed
// report is one sample. It prints p50/p99/max and the server's resident
// memory (VmRSS from /proc) with the file open, after 100 edits and at
// the end. No assertion on times: a report.
//
//   SPARKLINT_BIN=/tmp/sparklint EDITS=1000 node editors/tests/latency.js
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { pathToFileURL } = require("node:url");
const rpc = require("vscode-jsonrpc/node");
const lsp = require("vscode-languageserver-protocol");

const BIN = process.env.SPARKLINT_BIN || "sparklint";
const EDITS = Number(process.env.EDITS || 1000);
const LINES = Number(process.env.LINES || 5000);
const TYPED = '\n    extra = df.groupBy("store").count().collect()';
const CLOSERS = { "(": ")", "[": "]", "{": "}", '"': '"', "'": "'" };

function generate() {
  const dir = path.join(__dirname, "..", "..", "lsp", "testdata", "keystrokes");
  const header = fs.readFileSync(path.join(dir, "header.py"), "utf8");
  const block = fs.readFileSync(path.join(dir, "block.py"), "utf8");
  let text = header;
  let lines = header.split("\n").length - 1;
  const per = block.split("\n").length - 1;
  for (let i = 0; lines < LINES; i++) {
    text += block.split("{n}").join(String(i));
    lines += per;
  }
  return text;
}

function rssMB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

async function main() {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "sparklint-latency-"));
  const file = path.join(workspace, "big_job.py");
  const src = generate();
  fs.writeFileSync(file, src);
  const uri = pathToFileURL(file).href;

  const proc = spawn(BIN, ["lsp"], { cwd: workspace, stdio: ["pipe", "pipe", "inherit"] });
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  conn.onRequest(lsp.ConfigurationRequest.type, (p) => p.items.map(() => ({})));
  conn.onRequest(lsp.RegistrationRequest.type, () => null);
  conn.onRequest(lsp.DiagnosticRefreshRequest.type, () => null);
  conn.onNotification(lsp.PublishDiagnosticsNotification.type, () => {});
  conn.listen();
  const root = pathToFileURL(workspace).href;
  await conn.sendRequest(lsp.InitializeRequest.type, {
    processId: process.pid,
    rootUri: root,
    workspaceFolders: [{ uri: root, name: "bench" }],
    capabilities: {
      textDocument: { diagnostic: { dynamicRegistration: false }, synchronization: { didSave: true } },
      workspace: { configuration: true, diagnostics: { refreshSupport: true } },
    },
  });
  conn.sendNotification(lsp.InitializedNotification.type, {});
  conn.sendNotification(lsp.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: "python", version: 1, text: src },
  });
  const pull = (previousResultId) =>
    conn.sendRequest(lsp.DocumentDiagnosticRequest.type, { textDocument: { uri }, previousResultId });
  const first = await pull(undefined);
  const diagnostics = first.items.length;
  let prev = first.resultId;
  const rssOpen = rssMB(proc.pid);

  const lines = src.split("\n");
  let row = Math.floor(lines.length / 2);
  while (!lines[row + 1].startsWith("    return counts")) row++;
  let col = lines[row].length;
  const pending = [];
  const lat = [];
  let keys = 0;
  let full = 0;
  let version = 1;
  let rss100 = NaN;
  for (let i = 0; lat.length < EDITS; i++) {
    const ch = TYPED[i % TYPED.length];
    keys++;
    if (pending.length && pending[pending.length - 1] === ch) {
      pending.pop();
      col++; // typed over the closer
      continue;
    }
    let text = ch;
    if (CLOSERS[ch]) {
      text += CLOSERS[ch];
      pending.push(CLOSERS[ch]);
    }
    if (lat.length === 100) rss100 = rssMB(proc.pid);
    const start = process.hrtime.bigint();
    conn.sendNotification(lsp.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: ++version },
      contentChanges: [{ range: { start: { line: row, character: col }, end: { line: row, character: col } }, text }],
    });
    const rep = await pull(prev);
    lat.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (rep.kind === "full") full++;
    prev = rep.resultId;
    if (ch === "\n") {
      row++;
      col = 0;
      pending.length = 0;
    } else {
      col++;
    }
  }
  const rssEnd = rssMB(proc.pid);
  await conn.sendRequest(lsp.ShutdownRequest.type);
  conn.sendNotification(lsp.ExitNotification.type);
  conn.dispose();
  fs.rmSync(workspace, { recursive: true, force: true });

  lat.sort((a, b) => a - b);
  const ms = (x) => `${x.toFixed(2)} ms`;
  console.log(
    `latency: ${keys} keystrokes, ${lat.length} edits on a ${lines.length - 1}-line file (${diagnostics} diagnostics; ` +
      `${full} full reports): didChange -> parsed diagnostics p50 ${ms(pct(lat, 50))}, p99 ${ms(pct(lat, 99))}, max ${ms(lat[lat.length - 1])}`,
  );
  const after100 = Number.isNaN(rss100) ? "" : `${rss100.toFixed(1)} MB after 100 edits, `;
  console.log(`latency: server RSS ${rssOpen.toFixed(1)} MB with the file open, ${after100}${rssEnd.toFixed(1)} MB after ${lat.length} edits`);
  if (diagnostics === 0) {
    console.log("latency: FAIL no diagnostics on the generated file");
    process.exit(1);
  }
}

main().catch((err) => {
  console.log(`latency: FAIL ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
