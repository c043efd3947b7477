#!/usr/bin/env node
// A real LSP client for `sparklint lsp`, built on the libraries VS Code's
// own client uses (vscode-jsonrpc and vscode-languageserver-protocol).
//
// It starts the server given by SPARKLINT_BIN (default: "sparklint" on
// PATH), opens a PySpark file with `groupByKey().mapValues(sum)`, waits for
// the SPK201 diagnostic, applies the quick fix's WorkspaceEdit to its copy
// of the text, sends didChange and checks that the diagnostic is gone. It
// also checks the "Disable SPK201 for this line" action, source.fixAll,
// hover on `# noqa: SPK201`, the "sparklint" settings read through
// workspace/configuration, and a Jupyter notebook synchronised as a
// notebook document (diagnostics per cell).
//
// It runs the whole session twice: once announcing pull diagnostics
// (textDocument/diagnostic), once without, so the server must push
// (textDocument/publishDiagnostics). Exit code 0 when every check passed.
//
//   SPARKLINT_BIN=/tmp/sparklint-lsp node editors/tests/lsp_client_test.js
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { pathToFileURL } = require("node:url");
const rpc = require("vscode-jsonrpc/node");
const lsp = require("vscode-languageserver-protocol");

const BIN = process.env.SPARKLINT_BIN || "sparklint";
const TIMEOUT_MS = Number(process.env.SPARKLINT_TEST_TIMEOUT_MS || 20000);

const JOB = `from pyspark.sql import SparkSession

sc = SparkSession.builder.getOrCreate().sparkContext
pairs = sc.textFile("s3://logs/").map(lambda line: (line.split()[0], 1))
totals = pairs.groupByKey().mapValues(sum)
print(totals.take(10))
`;

// A finding silenced by noqa, for the hover.
const NOQA = `from pyspark.sql import SparkSession

sc = SparkSession.builder.getOrCreate().sparkContext
pairs = sc.textFile("s3://logs/").map(lambda line: (line.split()[0], 1))
groups = pairs.groupByKey().mapValues(list)  # noqa: SPK201
print(groups.take(10))
`;

let passed = 0;
let failed = 0;

function check(ok, what, detail) {
  if (ok) {
    passed++;
    console.log(`  ok   ${what}`);
  } else {
    failed++;
    console.log(`  FAIL ${what}${detail !== undefined ? `: ${detail}` : ""}`);
  }
  return ok;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// offsetAt turns an LSP position (UTF-16 code units, which is what a JS
// string index counts) into an index into text.
function offsetAt(text, pos) {
  let off = 0;
  for (let line = 0; line < pos.line; line++) {
    const nl = text.indexOf("\n", off);
    if (nl < 0) return text.length;
    off = nl + 1;
  }
  const end = text.indexOf("\n", off);
  const lineEnd = end < 0 ? text.length : end;
  return Math.min(off + pos.character, lineEnd);
}

function applyTextEdits(text, edits) {
  const spans = edits
    .map((e, i) => ({ start: offsetAt(text, e.range.start), end: offsetAt(text, e.range.end), newText: e.newText, i }))
    .sort((a, b) => b.start - a.start || b.i - a.i);
  for (const s of spans) text = text.slice(0, s.start) + s.newText + text.slice(s.end);
  return text;
}

// editsFor collects the TextEdits a WorkspaceEdit makes to uri.
function editsFor(edit, uri) {
  const out = [];
  if (!edit) return out;
  if (edit.changes && edit.changes[uri]) out.push(...edit.changes[uri]);
  for (const dc of edit.documentChanges || []) {
    if (dc.textDocument && dc.textDocument.uri === uri) out.push(...dc.edits);
  }
  return out;
}

function codeOf(d) {
  return typeof d.code === "object" && d.code !== null ? String(d.code.value) : String(d.code);
}

function describe(ds) {
  return JSON.stringify(ds.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${codeOf(d)} ${d.message}`));
}

class Session {
  constructor(mode, workspace) {
    this.mode = mode; // "pull" or "push"
    this.workspace = workspace;
    this.settings = { select: ["ALL"], ignore: [] };
    this.pushed = new Map(); // uri -> {version, diagnostics}
    this.pushWaiters = [];
    this.applied = []; // WorkspaceEdits the server asked to apply
    this.stderr = "";
  }

  async start() {
    this.proc = spawn(BIN, ["lsp"], { cwd: this.workspace, stdio: ["pipe", "pipe", "pipe"] });
    this.exited = new Promise((resolve) => this.proc.on("exit", (code, signal) => resolve({ code, signal })));
    this.proc.on("error", (err) => {
      this.spawnError = err;
    });
    this.proc.stderr.on("data", (b) => {
      this.stderr += b.toString();
    });
    const conn = rpc.createMessageConnection(
      new rpc.StreamMessageReader(this.proc.stdout),
      new rpc.StreamMessageWriter(this.proc.stdin),
    );
    this.conn = conn;

    conn.onRequest(lsp.ConfigurationRequest.type, (params) =>
      params.items.map((item) => (item.section === "sparklint" || item.section === undefined ? this.settings : null)),
    );
    conn.onRequest(lsp.RegistrationRequest.type, () => null);
    conn.onRequest(lsp.UnregistrationRequest.type, () => null);
    conn.onRequest(lsp.WorkDoneProgressCreateRequest.type, () => null);
    conn.onRequest(lsp.DiagnosticRefreshRequest.type, () => null);
    conn.onRequest(lsp.ShowMessageRequest.type, () => null);
    conn.onRequest(lsp.ApplyWorkspaceEditRequest.type, (params) => {
      this.applied.push(params.edit);
      return { applied: true };
    });
    conn.onRequest(lsp.WorkspaceFoldersRequest.type, () => [
      { uri: pathToFileURL(this.workspace).href, name: path.basename(this.workspace) },
    ]);
    conn.onNotification(lsp.PublishDiagnosticsNotification.type, (p) => {
      this.pushed.set(p.uri, { version: p.version, diagnostics: p.diagnostics });
      const waiters = this.pushWaiters;
      this.pushWaiters = [];
      for (const w of waiters) w();
    });
    conn.onNotification(lsp.LogMessageNotification.type, () => {});
    conn.onNotification(lsp.ShowMessageNotification.type, (p) => console.log(`  server says: ${p.message}`));
    conn.onNotification("$/progress", () => {});
    conn.onNotification(lsp.TelemetryEventNotification.type, () => {});
    conn.onError(([err]) => console.log(`  connection error: ${err && err.message}`));
    conn.listen();

    const textDocument = {
      synchronization: { dynamicRegistration: false, didSave: true },
      publishDiagnostics: {
        relatedInformation: true,
        versionSupport: true,
        codeDescriptionSupport: true,
        dataSupport: true,
        tagSupport: { valueSet: [1, 2] },
      },
      codeAction: {
        dynamicRegistration: false,
        isPreferredSupport: true,
        dataSupport: true,
        resolveSupport: { properties: ["edit"] },
        codeActionLiteralSupport: {
          codeActionKind: { valueSet: ["", "quickfix", "refactor", "source", "source.organizeImports", "source.fixAll"] },
        },
      },
      hover: { dynamicRegistration: false, contentFormat: ["markdown", "plaintext"] },
    };
    if (this.mode === "pull") textDocument.diagnostic = { dynamicRegistration: false, relatedDocumentSupport: false };

    const root = pathToFileURL(this.workspace).href;
    const died = this.exited.then(({ code, signal }) => {
      throw new Error(`${BIN} lsp exited (status ${code}, signal ${signal}) before answering initialize`);
    });
    died.catch(() => {});
    this.init = await withTimeout(
      Promise.race([died, conn.sendRequest(lsp.InitializeRequest.type, {
        processId: process.pid,
        clientInfo: { name: "sparklint-node-test", version: "1" },
        rootUri: root,
        workspaceFolders: [{ uri: root, name: path.basename(this.workspace) }],
        initializationOptions: { select: ["ALL"], ignore: [] },
        capabilities: {
          textDocument,
          workspace: {
            configuration: true,
            workspaceFolders: true,
            applyEdit: true,
            didChangeConfiguration: { dynamicRegistration: false },
            workspaceEdit: { documentChanges: true },
            diagnostics: { refreshSupport: true },
          },
          general: { positionEncodings: ["utf-16"] },
          notebookDocument: { synchronization: { dynamicRegistration: false, executionSummarySupport: false } },
        },
      })]),
      TIMEOUT_MS,
      "initialize",
    );
    conn.sendNotification(lsp.InitializedNotification.type, {});
    return this.init;
  }

  // diagnostics returns uri's diagnostics once pred accepts them (or the
  // last ones seen when the time runs out): pulled when the server offers
  // pull diagnostics and this session announced them, else pushed.
  async diagnostics(uri, version, pred) {
    const deadline = Date.now() + TIMEOUT_MS;
    const pull = this.mode === "pull" && this.init.capabilities.diagnosticProvider;
    let last;
    while (Date.now() < deadline) {
      if (pull) {
        const rep = await withTimeout(
          this.conn.sendRequest(lsp.DocumentDiagnosticRequest.type, { textDocument: { uri } }),
          TIMEOUT_MS,
          "textDocument/diagnostic",
        );
        last = rep.kind === "full" ? rep.items : last;
        if (last && pred(last)) return last;
        await sleep(100);
      } else {
        const got = this.pushed.get(uri);
        if (got && (got.version === undefined || got.version === null || got.version >= version)) {
          last = got.diagnostics;
          if (pred(last)) return last;
        }
        await withTimeout(
          new Promise((resolve) => this.pushWaiters.push(resolve)),
          Math.max(1, deadline - Date.now()),
          "publishDiagnostics",
        ).catch(() => {});
      }
    }
    return last || [];
  }

  open(uri, text) {
    this.conn.sendNotification(lsp.DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: "python", version: 1, text },
    });
  }

  change(uri, version, text) {
    this.pushed.delete(uri);
    this.conn.sendNotification(lsp.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
  }

  async request(type, params, what) {
    return withTimeout(this.conn.sendRequest(type, params), TIMEOUT_MS, what);
  }

  async stop() {
    try {
      await withTimeout(this.conn.sendRequest(lsp.ShutdownRequest.type), TIMEOUT_MS, "shutdown");
      this.conn.sendNotification(lsp.ExitNotification.type);
      const { code } = await withTimeout(this.exited, 5000, "server exit after `exit`");
      check(code === 0, "server exits with status 0 after shutdown/exit", `status ${code}`);
    } finally {
      this.conn.dispose();
      if (this.proc.exitCode === null) this.proc.kill();
    }
  }
}

// codeActionEdit returns the edits an action makes to uri: its edit, or the
// one resolved by codeAction/resolve, or the one the server sends back with
// workspace/applyEdit when its command is executed.
async function codeActionEdit(s, action, uri) {
  if (action.edit) return editsFor(action.edit, uri);
  if (action.data !== undefined && s.init.capabilities.codeActionProvider?.resolveProvider) {
    const resolved = await s.request(lsp.CodeActionResolveRequest.type, action, "codeAction/resolve");
    if (resolved.edit) return editsFor(resolved.edit, uri);
    action = resolved;
  }
  if (action.command) {
    const before = s.applied.length;
    await s.request(
      lsp.ExecuteCommandRequest.type,
      { command: action.command.command, arguments: action.command.arguments },
      "workspace/executeCommand",
    );
    return s.applied.slice(before).flatMap((e) => editsFor(e, uri));
  }
  return [];
}

async function runSession(mode) {
  console.log(`--- ${mode} diagnostics`);
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), `sparklint-lsp-${mode}-`));
  const jobPath = path.join(workspace, "job.py");
  const noqaPath = path.join(workspace, "noqa_job.py");
  fs.writeFileSync(jobPath, JOB);
  fs.writeFileSync(noqaPath, NOQA);
  const uri = pathToFileURL(jobPath).href;
  const noqaUri = pathToFileURL(noqaPath).href;

  const s = new Session(mode, workspace);
  try {
    const init = await s.start();
    const caps = init.capabilities || {};
    check(init.serverInfo?.name === "sparklint", "serverInfo.name is sparklint", JSON.stringify(init.serverInfo));
    if (mode === "pull") {
      check(!!caps.diagnosticProvider, "server offers pull diagnostics to a client that supports them", JSON.stringify(caps));
    }
    check(!!caps.codeActionProvider, "server offers code actions");
    check(!!caps.hoverProvider, "server offers hover");

    // 1. The diagnostic.
    s.open(uri, JOB);
    const isSPK201 = (d) => codeOf(d) === "SPK201";
    let diags = await s.diagnostics(uri, 1, (ds) => ds.some(isSPK201));
    const d = diags.find(isSPK201);
    if (!check(!!d, "SPK201 reported on open", describe(diags))) return;
    check(d.source === "sparklint", 'diagnostic source is "sparklint"', d.source);
    check(
      d.range.start.line === 4 && d.range.start.character === 15,
      "diagnostic starts at groupByKey (line 5, column 16)",
      JSON.stringify(d.range),
    );
    check(
      typeof d.codeDescription?.href === "string" && /^https?:\/\//.test(d.codeDescription.href),
      "diagnostic has codeDescription.href",
      JSON.stringify(d.codeDescription),
    );
    check(/reduceByKey/.test(d.message), "message names reduceByKey", d.message);

    // 2. Code actions on the diagnostic.
    const actions =
      (await s.request(
        lsp.CodeActionRequest.type,
        { textDocument: { uri }, range: d.range, context: { diagnostics: [d], triggerKind: 1 } },
        "textDocument/codeAction",
      )) || [];
    const titles = JSON.stringify(actions.map((a) => `${a.kind}: ${a.title}`));
    const fix = actions.find(
      (a) => a.kind === "quickfix" && !/disable|noqa/i.test(a.title) && (a.diagnostics || []).some(isSPK201),
    );
    const disable = actions.find((a) => a.kind === "quickfix" && /Disable SPK201 for this line/i.test(a.title));
    check(!!fix, "quickfix for SPK201 offered", titles);
    check(!!disable, '"Disable SPK201 for this line" offered', titles);

    if (disable) {
      const text = applyTextEdits(JOB, await codeActionEdit(s, disable, uri));
      check(
        /groupByKey\(\)\.mapValues\(sum\)\s*# noqa: SPK201/.test(text),
        "disable action adds `# noqa: SPK201` to the line",
        JSON.stringify(text.split("\n")[4]),
      );
    }

    // source.fixAll.sparklint over the whole file.
    const all =
      (await s.request(
        lsp.CodeActionRequest.type,
        {
          textDocument: { uri },
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          context: { diagnostics: [], only: ["source.fixAll"], triggerKind: 2 },
        },
        "textDocument/codeAction (source.fixAll)",
      )) || [];
    const fixAll = all.find((a) => a.kind === "source.fixAll.sparklint");
    if (check(!!fixAll, "source.fixAll.sparklint offered", JSON.stringify(all.map((a) => `${a.kind}: ${a.title}`)))) {
      const text = applyTextEdits(JOB, await codeActionEdit(s, fixAll, uri));
      check(/reduceByKey\(operator\.add\)/.test(text), "fix-all rewrites to reduceByKey(operator.add)", JSON.stringify(text));
    }

    // 3. Apply the quick fix, send the new text, see SPK201 go away.
    if (fix) {
      const edits = await codeActionEdit(s, fix, uri);
      check(edits.length > 0, "quickfix carries a WorkspaceEdit for the file");
      const fixed = applyTextEdits(JOB, edits);
      check(
        /pairs\.reduceByKey\(operator\.add\)/.test(fixed) && /^import operator$/m.test(fixed) && !/groupByKey/.test(fixed),
        "fixed text uses reduceByKey(operator.add) and imports operator",
        JSON.stringify(fixed),
      );
      s.change(uri, 2, fixed);
      diags = await s.diagnostics(uri, 2, (ds) => !ds.some(isSPK201));
      check(!diags.some(isSPK201), "SPK201 gone after the fix", describe(diags));
    }

    // 4. Hover on the code in `# noqa: SPK201`.
    s.open(noqaUri, NOQA);
    const noqaLine = NOQA.split("\n")[4];
    const hover = await s.request(
      lsp.HoverRequest.type,
      { textDocument: { uri: noqaUri }, position: { line: 4, character: noqaLine.indexOf("SPK201") + 2 } },
      "textDocument/hover",
    );
    const contents = hover
      ? typeof hover.contents === "string"
        ? hover.contents
        : Array.isArray(hover.contents)
          ? hover.contents.map((c) => (typeof c === "string" ? c : c.value)).join("\n")
          : hover.contents.value
      : "";
    check(/SPK201/.test(contents) && /group-by-key|groupByKey/.test(contents), "hover on `# noqa: SPK201` explains the rule", JSON.stringify(contents));

    // 5. Settings: ignoring SPK201 through workspace/configuration.
    s.change(uri, 3, JOB);
    diags = await s.diagnostics(uri, 3, (ds) => ds.some(isSPK201));
    check(diags.some(isSPK201), "SPK201 back after undoing the fix", describe(diags));
    s.settings = { select: ["ALL"], ignore: ["SPK201"] };
    s.conn.sendNotification(lsp.DidChangeConfigurationNotification.type, { settings: { sparklint: s.settings } });
    diags = await s.diagnostics(uri, 3, (ds) => !ds.some(isSPK201));
    check(!diags.some(isSPK201), 'setting sparklint.ignore = ["SPK201"] drops the diagnostic', describe(diags));
    s.settings = { select: ["ALL"], ignore: [] };
    s.conn.sendNotification(lsp.DidChangeConfigurationNotification.type, { settings: { sparklint: s.settings } });

    // 6. A notebook (LSP 3.17 notebook sync): two code cells around a
    // markdown one; the groupByKey of the last cell uses the sc of the
    // first, and is reported in the last cell.
    check(!!caps.notebookDocumentSync, "server offers notebook document sync", JSON.stringify(caps.notebookDocumentSync));
    const nbUri = pathToFileURL(path.join(workspace, "explore.ipynb")).href;
    const cellUri = (i) => `vscode-notebook-cell:${nbUri}#W${i}`;
    const cellTexts = [JOB.split("\n").slice(0, 3).join("\n") + "\n", "# Word count", JOB.split("\n").slice(3).join("\n")];
    s.conn.sendNotification(lsp.DidOpenNotebookDocumentNotification.type, {
      notebookDocument: {
        uri: nbUri,
        notebookType: "jupyter-notebook",
        version: 1,
        cells: [
          { kind: lsp.NotebookCellKind.Code, document: cellUri(0) },
          { kind: lsp.NotebookCellKind.Markup, document: cellUri(1) },
          { kind: lsp.NotebookCellKind.Code, document: cellUri(2) },
        ],
      },
      cellTextDocuments: cellTexts.map((text, i) => ({ uri: cellUri(i), languageId: i === 1 ? "markdown" : "python", version: 1, text })),
    });
    diags = await s.diagnostics(cellUri(2), 1, (ds) => ds.some(isSPK201));
    const nd = diags.find(isSPK201);
    check(
      !!nd && nd.range.start.line === 1 && nd.range.start.character === 15,
      "SPK201 reported in the notebook's last cell (line 2, column 16 of the cell)",
      describe(diags),
    );
    const first = await s.diagnostics(cellUri(0), 1, () => true);
    check(first.length === 0, "nothing reported in the first cell", describe(first));
    s.conn.sendNotification(lsp.DidChangeNotebookDocumentNotification.type, {
      notebookDocument: { uri: nbUri, version: 2 },
      change: {
        cells: {
          textContent: [
            {
              document: { uri: cellUri(2), version: 2 },
              changes: [{ range: { start: { line: 1, character: 15 }, end: { line: 1, character: 42 } }, text: "reduceByKey(max)" }],
            },
          ],
        },
      },
    });
    diags = await s.diagnostics(cellUri(2), 2, (ds) => !ds.some(isSPK201));
    check(!diags.some(isSPK201), "SPK201 gone after editing the cell", describe(diags));
    s.conn.sendNotification(lsp.DidCloseNotebookDocumentNotification.type, {
      notebookDocument: { uri: nbUri },
      cellTextDocuments: [0, 1, 2].map((i) => ({ uri: cellUri(i) })),
    });
  } finally {
    await s.stop().catch((err) => check(false, "shutdown/exit", err.message));
    if (s.spawnError) check(false, `start ${BIN} lsp`, s.spawnError.message);
    if (failed && s.stderr.trim()) console.log(`  server stderr:\n${s.stderr.trim().replace(/^/gm, "    ")}`);
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

async function main() {
  for (const mode of ["pull", "push"]) {
    try {
      await runSession(mode);
    } catch (err) {
      check(false, `${mode} session`, err && err.stack ? err.stack : String(err));
    }
  }
  console.log(`lsp-client: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main();
