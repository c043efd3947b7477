// The sparklint extension for VS Code: a client of `sparklint lsp`.
//
// The server does the work (diagnostics, quick fixes, "Disable SPKnnn for
// this line", source.fixAll.sparklint, hover on `# noqa: SPKnnn`, in
// Python files and in the Python cells of notebooks); this
// extension starts it, hands it the "sparklint" settings and restarts it
// when the executable or its arguments change.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  TransportKind,
  vsdiag,
} from "vscode-languageclient/node";

const SECTION = "sparklint";

let client: LanguageClient | undefined;
let outputChannel: vscode.OutputChannel | undefined;
// Serialises start/stop/restart so quick setting changes do not race.
let pending: Promise<void> = Promise.resolve();

interface Settings {
  enable: boolean;
  path: string;
  args: string[];
  select: string[];
  ignore: string[];
  configPath: string;
}

function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    enable: c.get<boolean>("enable", true),
    path: c.get<string>("path", "").trim(),
    args: c.get<string[]>("args", []),
    select: c.get<string[]>("select", []),
    ignore: c.get<string[]>("ignore", []),
    configPath: c.get<string>("configPath", "").trim(),
  };
}

// serverSettings is what the server reads: the same shape as the answer to
// its workspace/configuration request for the "sparklint" section.
function serverSettings(s: Settings): Record<string, unknown> {
  return { select: s.select, ignore: s.ignore, configPath: s.configPath };
}

function makeClient(s: Settings): LanguageClient {
  const serverOptions: ServerOptions = {
    command: s.path || "sparklint",
    args: ["lsp", ...s.args],
    transport: TransportKind.stdio,
    options: { cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "python" },
      { scheme: "untitled", language: "python" },
      // Python cells of notebooks (Jupyter, Databricks): the server syncs
      // them as notebook documents and checks a notebook's cells together.
      { notebook: "*", language: "python" },
    ],
    // Sends workspace/didChangeConfiguration on changes to sparklint.*; the
    // server then asks again with workspace/configuration.
    synchronize: { configurationSection: SECTION },
    initializationOptions: serverSettings(s),
    middleware: {
      // The server pushes the diagnostics of notebook cells (this client
      // pulls only for text editors). Should a client pull for cells, its
      // answer would show every finding twice: it is left empty.
      provideDiagnostics: (document, previousResultId, token, next) => {
        const uri = document instanceof vscode.Uri ? document : document.uri;
        if (uri.scheme === "vscode-notebook-cell") {
          return { kind: vsdiag.DocumentDiagnosticReportKind.full, items: [] };
        }
        return next(document, previousResultId, token);
      },
    },
    outputChannel,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
  };
  return new LanguageClient("sparklint", "sparklint", serverOptions, clientOptions);
}

async function start(): Promise<void> {
  const s = readSettings();
  if (!s.enable || client) {
    return;
  }
  const c = makeClient(s);
  client = c;
  try {
    await c.start();
  } catch (err) {
    client = undefined;
    const msg = err instanceof Error ? err.message : String(err);
    const action = await vscode.window.showErrorMessage(
      `sparklint: could not start \`${s.path || "sparklint"} lsp\`: ${msg}. ` +
        "Install sparklint (go install ./cmd/sparklint) or set sparklint.path.",
      "Open Settings",
      "Show Output",
    );
    if (action === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "sparklint.");
    } else if (action === "Show Output") {
      outputChannel?.show();
    }
  }
}

async function stop(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop();
    } catch {
      // A server that is already gone has nothing left to stop.
    }
  }
}

function queue(job: () => Promise<void>): Promise<void> {
  pending = pending.then(job, job);
  return pending;
}

function restart(): Promise<void> {
  return queue(async () => {
    await stop();
    await start();
  });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  outputChannel = vscode.window.createOutputChannel("sparklint");
  context.subscriptions.push(
    outputChannel,
    vscode.commands.registerCommand("sparklint.restart", () => restart()),
    vscode.commands.registerCommand("sparklint.showOutput", () => outputChannel?.show()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // select/ignore/configPath reach the running server through
      // didChangeConfiguration; these need a new process.
      if (
        e.affectsConfiguration("sparklint.enable") ||
        e.affectsConfiguration("sparklint.path") ||
        e.affectsConfiguration("sparklint.args")
      ) {
        void restart();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void restart()),
  );
  await queue(start);
}

export function deactivate(): Promise<void> {
  return queue(stop);
}
