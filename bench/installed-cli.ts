// The CLI as users install it, for the benchmarks that time whole processes: `npm pack` (prepack
// compiles dist/) and `npm install` of the tarball into an empty prefix, as .ci/run does. The
// installed bin/shipshape.js runs the compiled dist/ (it lives under node_modules), not the
// TypeScript sources. `sources` runs bin/shipshape.js of the checkout (type stripping at start).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const REPOSITORY = path.resolve(import.meta.dirname, "..");

export type CliKind = "installed" | "sources";

export interface Cli {
  kind: CliKind;
  /**
   * The command users run: the installed package's `node_modules/.bin/shipshape`, or the
   * checkout's bin/shipshape.js, executed directly so that its shebang's Node flags apply.
   */
  bin: string;
  /** What runs, for the table header. */
  description: string;
  /** Removes the temporary install. */
  dispose(): void;
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${(result.stderr || result.stdout).trim().split("\n").slice(-5).join("\n")}`);
  return result.stdout;
}

export function prepareCli(kind: CliKind): Cli {
  if (kind === "sources") return { kind, bin: path.join(REPOSITORY, "bin", "shipshape.js"), description: "bin/shipshape.js of the checkout (TypeScript sources, type stripping)", dispose() {} };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-installed-"));
  try {
    const packDir = path.join(work, "pack");
    const prefix = path.join(work, "prefix");
    fs.mkdirSync(packDir);
    fs.mkdirSync(prefix);
    run("npm", ["pack", "--silent", "--pack-destination", packDir], REPOSITORY);
    const tarball = fs.readdirSync(packDir).find((name) => name.endsWith(".tgz"));
    if (tarball === undefined) throw new Error("npm pack wrote no tarball");
    run("npm", ["install", "--no-audit", "--no-fund", "--silent", "--prefix", prefix, path.join(packDir, tarball)], prefix);
    const bin = path.join(prefix, "node_modules", ".bin", "shipshape");
    if (!fs.existsSync(path.join(prefix, "node_modules", "shipshape", "dist", "cli", "main.js"))) throw new Error("the installed package has no dist/cli/main.js");
    return { kind, bin, description: `installed from npm pack (${tarball}, runs dist/)`, dispose: () => fs.rmSync(work, { recursive: true, force: true }) };
  } catch (error) {
    fs.rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

/** Peak RSS and CPU of a whole process, from GNU time (`/usr/bin/time`), which the benchmarks need. */
export interface ProcessMeasure {
  wallSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
  status: number;
}

export const GNU_TIME = "/usr/bin/time";

/** Runs `command args` with stdout to `stdoutFile` (or /dev/null) under GNU time. */
export function measureProcess(command: string, args: string[], options: { cwd?: string; stdoutFile?: string; env?: NodeJS.ProcessEnv } = {}): ProcessMeasure & { stderr: string } {
  const timeFile = path.join(os.tmpdir(), `shipshape-bench-time-${process.pid}.txt`);
  const out = fs.openSync(options.stdoutFile ?? "/dev/null", "w");
  try {
    const started = performance.now();
    // The bin's shebang runs `node` from PATH: make it the Node running the benchmark.
    const env = options.env ?? process.env;
    const pathWithNode = `${path.dirname(process.execPath)}${path.delimiter}${env.PATH ?? ""}`;
    const result = spawnSync(GNU_TIME, ["-o", timeFile, "-f", "%U %S %M", command, ...args], { cwd: options.cwd, env: { ...env, PATH: pathWithNode }, stdio: ["ignore", out, "pipe"], encoding: "utf8", maxBuffer: 1 << 28 });
    const wallSeconds = (performance.now() - started) / 1000;
    const line = fs.readFileSync(timeFile, "utf8").trim().split("\n").at(-1) ?? "";
    const [user = 0, system = 0, rssKb = 0] = line.split(" ").map(Number);
    return { wallSeconds, cpuSeconds: user + system, peakRssBytes: rssKb * 1024, status: result.status ?? -1, stderr: result.stderr ?? "" };
  } finally {
    fs.closeSync(out);
    fs.rmSync(timeFile, { force: true });
  }
}
