// Build cache of a buildx builder (`--builder NAME`: docker-container, remote, kubernetes
// drivers keep their cache in their own BuildKit, not in the engine's) pruned with
// `docker buildx prune`. buildx 0.17+ names the cap --max-used-space; older ones --keep-storage.
import { execFile } from "node:child_process";
import { EngineDriverError } from "../errors.ts";
import { parseByteSize } from "../format/index.ts";

export interface BuildxPruneOptions {
  builder: string;
  keepStorageBytes: number;
  /** Prune unused cache mounts (`--filter type=exec.cachemount`) first. */
  cacheMounts: boolean;
  /** `--filter until=DURATION`: only records unused for this long. */
  until?: string;
  dockerBinary?: string;
  env?: NodeJS.ProcessEnv;
}

export interface BuildxPruneResult {
  commands: string[][];
  reclaimedBytes: number;
}

function run(binary: string, args: string[], env: NodeJS.ProcessEnv | undefined): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(binary, args, { env: env ?? process.env, maxBuffer: 16 * 1024 * 1024, timeout: 10 * 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code) : 127;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The `docker buildx prune` argument lists for a policy (pure; `capFlag` from the installed buildx). */
export function buildxPruneCommands(options: Omit<BuildxPruneOptions, "dockerBinary" | "env">, capFlag: "--max-used-space" | "--keep-storage"): string[][] {
  const base = ["buildx", "prune", "--force", "--builder", options.builder];
  const commands: string[][] = [];
  if (options.cacheMounts) commands.push([...base, "--filter", "type=exec.cachemount"]);
  const capped = [...base, capFlag, String(Math.floor(options.keepStorageBytes))];
  if (options.until !== undefined) capped.push("--filter", `until=${options.until}`);
  commands.push(capped);
  return commands;
}

/** "Total:\t1.2GB" at the end of buildx prune's output. */
export function parseBuildxPruneTotal(output: string): number {
  const match = /^Total:\s*(\S+)\s*$/m.exec(output);
  return match?.[1] !== undefined ? (parseByteSize(match[1]) ?? 0) : 0;
}

export async function pruneWithBuildx(options: BuildxPruneOptions): Promise<BuildxPruneResult> {
  const binary = options.dockerBinary ?? "docker";
  const help = await run(binary, ["buildx", "prune", "--help"], options.env);
  if (help.code !== 0) throw new EngineDriverError(`--builder ${options.builder}: \`${binary} buildx prune\` is not available (install the buildx plugin)`);
  const capFlag = help.stdout.includes("--max-used-space") ? "--max-used-space" : "--keep-storage";
  const commands = buildxPruneCommands(options, capFlag);
  let reclaimedBytes = 0;
  for (const args of commands) {
    const result = await run(binary, args, options.env);
    if (result.code !== 0) throw new EngineDriverError(`${binary} ${args.join(" ")} failed: ${(result.stderr.trim().split("\n").at(-1) ?? "").trim() || `exit code ${result.code}`}`);
    reclaimedBytes += parseBuildxPruneTotal(`${result.stdout}\n${result.stderr}`);
  }
  return { commands, reclaimedBytes };
}
