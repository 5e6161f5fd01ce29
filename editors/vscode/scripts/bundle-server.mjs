// Install the faultlore server and its Python dependencies into bundled/libs with
// the Python that packages the extension (python3, or $FAULTLORE_PYTHON), then add
// the compiled modules of those dependencies for the other supported Pythons, so the
// extension runs on any of them. bundled/pythons.json lists the versions it can run.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const VERSIONS = ["3.11", "3.12", "3.13", "3.14"];

const here = path.dirname(fileURLToPath(import.meta.url));
const extension = path.resolve(here, "..");
const repo = path.resolve(extension, "..", "..");
// Built in out/ and renamed into place, so a failed build leaves no half-done bundled/.
const bundled = path.join(extension, "out", `bundled.${process.pid}`);
const libs = path.join(bundled, "libs");
const python = process.env.FAULTLORE_PYTHON || "python3";

const run = (args, options = {}) =>
  execFileSync(python, args, { encoding: "utf8", ...options }).trim();
const pip = (args) =>
  run([
    "-m",
    "pip",
    "--disable-pip-version-check",
    ...args,
    "--root-user-action=ignore",
  ]);

fs.rmSync(bundled, { recursive: true, force: true });
pip(["install", "--quiet", "--no-compile", "--target", libs, repo]);
fs.rmSync(path.join(libs, "bin"), { recursive: true, force: true });
const own = run(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"]);
console.log(`bundled the server with Python ${own}`);

// Distributions with compiled code, and the platform tags of their wheels.
const compiled = [];
for (const entry of fs
  .readdirSync(libs)
  .filter((name) => name.endsWith(".dist-info"))) {
  const wheel = fs.readFileSync(path.join(libs, entry, "WHEEL"), "utf8");
  if (/^Root-Is-Purelib: true/m.test(wheel)) {
    continue;
  }
  const tags = [...wheel.matchAll(/^Tag: (\S+)-(\S+)-(\S+)$/gm)];
  if (tags.some(([, , abi]) => abi === "abi3")) {
    continue;
  }
  const meta = fs.readFileSync(path.join(libs, entry, "METADATA"), "utf8");
  const name = /^Name: (.+)$/m.exec(meta)[1].trim();
  const version = /^Version: (.+)$/m.exec(meta)[1].trim();
  compiled.push({
    spec: `${name}==${version}`,
    platforms: [...new Set(tags.flatMap((tag) => tag[3].split(".")))],
  });
}

const supported = [own];
for (const version of VERSIONS.filter((v) => v !== own)) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "faultlore-wheels-"));
  try {
    for (const { spec, platforms } of compiled) {
      const unpacked = path.join(scratch, spec);
      pip([
        "install",
        "--quiet",
        "--no-deps",
        "--no-compile",
        "--only-binary=:all:",
        `--python-version=${version}`,
        "--implementation=cp",
        ...platforms.map((platform) => `--platform=${platform}`),
        "--target",
        unpacked,
        spec,
      ]);
      copyCompiled(unpacked, libs);
    }
    supported.push(version);
    console.log(`added the compiled modules for Python ${version}`);
  } catch {
    console.warn(`no wheels for Python ${version}: it is left out`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
fs.writeFileSync(
  path.join(bundled, "pythons.json"),
  JSON.stringify(supported.sort(), null, 2) + "\n",
);
fs.rmSync(path.join(extension, "bundled"), { recursive: true, force: true });
fs.renameSync(bundled, path.join(extension, "bundled"));

/** Copy the extension modules (*.so, *.pyd) of *from* into the same places in *to*. */
function copyCompiled(from, to) {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory() && !entry.name.endsWith(".dist-info")) {
      copyCompiled(source, target);
    } else if (/\.(so|pyd)$/.test(entry.name) && !fs.existsSync(target)) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(source, target);
    }
  }
}
