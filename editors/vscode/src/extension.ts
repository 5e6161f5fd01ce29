import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  Executable,
} from "vscode-languageclient/node";

const SECTION = "faultlore";

/** Settings read only when the server starts: changing one restarts it. */
const RESTART_SETTINGS = ["server.path", "server.python", "diagnosticMode"];

/** Interpreters tried on PATH for the bundled server, best first. */
const PYTHONS = [
  "python3.14",
  "python3.13",
  "python3.12",
  "python3.11",
  "python3",
  "python",
];

/** Logs by language; config files by name, as the server knows them by name. */
const DOCUMENT_SELECTOR = [
  { language: "log" },
  ...[
    "**/*nginx.conf",
    "**/nginx/**/*.conf",
    "**/sites-{available,enabled}/*",
    "**/*sshd_config",
    "**/sshd_config.d/*.conf",
    "**/*{main,master}.cf",
    "**/*{my,mysqld,mariadb}.cnf",
    "**/*{redis,sentinel}.conf",
    "**/*{postgresql,postgresql.auto,pg_hba}.conf",
    "**/*{httpd,apache2}.conf",
    "**/*.{service,socket,timer,mount,path,target}",
    "**/*.{yml,yaml}",
  ].map((pattern) => ({ pattern })),
];

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let context: vscode.ExtensionContext;

export async function activate(ctx: vscode.ExtensionContext): Promise<void> {
  context = ctx;
  output = vscode.window.createOutputChannel("faultlore", { log: true });
  ctx.subscriptions.push(
    output,
    vscode.commands.registerCommand("faultlore.restart", restart),
    vscode.commands.registerCommand("faultlore.reload", reloadKnowledgeBase),
    vscode.commands.registerCommand("faultlore.showOutput", () => output.show()),
    vscode.workspace.onDidChangeConfiguration(onConfigurationChanged),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void pushSettings()),
  );
  await restart();
}

export async function deactivate(): Promise<void> {
  await stop();
}

/** The one way the server starts: stop what runs, find the server, start it. */
async function restart(): Promise<void> {
  await stop();

  const serverOptions = await findServer();
  if (serverOptions === undefined) {
    return;
  }
  const { command, args } = serverOptions;

  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: settings(),
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const answer = await next(params, token);
          if (!Array.isArray(answer)) {
            return answer;
          }
          return answer.map((item, i) =>
            params.items[i]?.section === SECTION ? settings() : item,
          );
        },
      },
    },
  };
  client = new LanguageClient(SECTION, "faultlore", serverOptions, clientOptions);
  try {
    await client.start();
    output.info(`server started: ${[command, ...(args ?? [])].join(" ")}`);
  } catch (error) {
    output.error(`the server did not start: ${String(error)}`);
    void vscode.window.showErrorMessage(
      "faultlore: the language server did not start. The output has the details.",
    );
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  await running?.dispose().catch((e: unknown) => output.warn(`stopping: ${String(e)}`));
}

/** The client's settings as the server reads them; trust follows Workspace Trust. */
function settings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const {
    server: _server,
    trace: _trace,
    ...rest
  } = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  return {
    ...rest,
    trustWorkspace: vscode.workspace.isTrusted && config.get("trustWorkspace", true),
  };
}

async function onConfigurationChanged(
  event: vscode.ConfigurationChangeEvent,
): Promise<void> {
  if (RESTART_SETTINGS.some((key) => event.affectsConfiguration(`${SECTION}.${key}`))) {
    await restart();
  } else if (event.affectsConfiguration(SECTION)) {
    await pushSettings();
  }
}

/** Ask the server to fetch the settings again (workspace/configuration). */
async function pushSettings(): Promise<void> {
  if (client?.isRunning()) {
    await client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: null,
    });
  }
}

async function reloadKnowledgeBase(): Promise<void> {
  if (!client?.isRunning()) {
    void vscode.window.showWarningMessage("faultlore: the server is not running.");
    return;
  }
  const result = (await client.sendRequest(ExecuteCommandRequest.type, {
    command: "faultlore.reloadKnowledgeBase",
    arguments: [],
  })) as { signatures: number; problems: string[] } | null;
  const problems = result?.problems.length ?? 0;
  void vscode.window.showInformationMessage(
    `faultlore: ${result?.signatures ?? 0} signatures loaded` +
      (problems ? `, ${problems} problems (see the output)` : "."),
  );
}

/** server.path, else faultlore on PATH, else the bundled server on Python 3.11+. */
async function findServer(): Promise<Executable | undefined> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const configured = config.get<string>("server.path", "").trim();
  if (configured) {
    return { command: expandHome(configured), args: ["lsp"] };
  }

  const onPath = await which("faultlore");
  if (onPath !== undefined) {
    return { command: onPath, args: ["lsp"] };
  }

  const libs = context.asAbsolutePath(path.join("bundled", "libs"));
  const supported = bundledPythons();
  const wanted = config.get<string>("server.python", "").trim();
  for (const candidate of wanted ? [expandHome(wanted)] : PYTHONS) {
    const version = await pythonVersion(candidate);
    if (version === undefined) {
      continue;
    }
    if (supported.includes(version.join("."))) {
      const env = { ...process.env, PYTHONPATH: libs, PYTHONNOUSERSITE: "1" };
      return { command: candidate, args: ["-m", "faultlore", "lsp"], options: { env } };
    }
    output.info(`${candidate} is Python ${version.join(".")}: not one of ${supported}`);
  }

  const install =
    {
      darwin: "brew install python@3.13",
      win32: "winget install Python.Python.3.13",
    }[process.platform as string] ??
    "sudo apt install python3 (Fedora: sudo dnf install python3)";
  output.error(`no Python ${supported.join(", ")} found (tried ${wanted || PYTHONS})`);
  void vscode.window.showErrorMessage(
    `faultlore needs Python ${supported[0]}+ to run its server. Install it with: ` +
      `${install}, then run "faultlore: Restart Server" (or set faultlore.server.python).`,
  );
  return undefined;
}

/** The Python versions the bundled libraries have compiled modules for. */
function bundledPythons(): string[] {
  try {
    const file = context.asAbsolutePath(path.join("bundled", "pythons.json"));
    return JSON.parse(fs.readFileSync(file, "utf8")) as string[];
  } catch {
    return ["3.11", "3.12", "3.13", "3.14"];
  }
}

function pythonVersion(command: string): Promise<number[] | undefined> {
  const args = ["-c", "import sys; print(*sys.version_info[:2])"];
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 10000 }, (error, stdout) => {
      const parts = stdout.trim().split(" ").map(Number);
      resolve(error || parts.length !== 2 || parts.some(isNaN) ? undefined : parts);
    });
  });
}

async function which(name: string): Promise<string | undefined> {
  const suffixes = process.platform === "win32" ? [".exe", ".cmd", ""] : [""];
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    for (const suffix of suffixes) {
      const candidate = path.join(dir, name + suffix);
      try {
        await fs.promises.access(candidate, fs.constants.X_OK);
        return candidate;
      } catch {
        // Not in this folder: keep looking.
      }
    }
  }
  return undefined;
}

function expandHome(value: string): string {
  return value.replace(
    /^~(?=$|[\\/])/,
    process.env.HOME ?? process.env.USERPROFILE ?? "~",
  );
}
