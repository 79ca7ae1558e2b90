import type { ShellCommand } from "../dockerfile/model.ts";
import { isRun } from "../dockerfile/model.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// `curl https://... | sh` runs whatever the server (or anyone between it and the builder)
// returns, with the build's privileges, without a check. A compromised or updated installer
// changes the image silently, and a truncated download can run half a script. Download,
// verify, then run.
export const rule: DockerfileRule = {
  meta: {
    id: "curl-pipe-shell",
    description: "A script downloaded with curl or wget is piped into a shell or interpreter without verification.",
    impact: "medium",
    category: "security",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const run of dockerfile.instructions.filter(isRun)) {
      const found: string[] = [];
      const pipelines = new Map<number, ShellCommand[]>();
      for (const command of run.shell.commands) {
        if (command.pipelineLength > 1) pipelines.set(command.pipeline, [...(pipelines.get(command.pipeline) ?? []), command]);
        // `sh -c "$(curl ...)"`, `bash <(curl ...)`, `eval "$(wget -O- ...)"`.
        const substituted = command.args.find((arg) => /(\$\(|`|<\()\s*(curl|wget)\b/.test(arg));
        if (substituted && (isInterpreter(command.name) || command.name === "eval" || command.name === "source" || command.name === ".")) {
          found.push(`${command.name} ${substituted.length > 60 ? `${substituted.slice(0, 57)}...` : substituted}`);
        }
      }
      for (const members of pipelines.values()) {
        const ordered = [...members].sort((a, b) => a.pipelineIndex - b.pipelineIndex);
        const last = ordered.at(-1);
        const downloader = ordered.slice(0, -1).find((command) => command.name === "curl" || command.name === "wget");
        if (!last || !downloader || !readsScriptFromStdin(last)) continue;
        const url = downloader.args.find((arg) => /^(https?|ftp):\/\//.test(arg));
        found.push(`${downloader.name}${url ? ` ${url}` : ""} | ${last.name}`);
      }
      if (found.length === 0) continue;
      reports.push({
        message: `${found.map((text) => `\`${text}\``).join(", ")} runs a script downloaded at build time without verifying it: download it to a file, check it (sha256sum -c against a pinned checksum, or a signature), then run it; pin the installer's version`,
        line: run.span.start.line,
        endLine: run.span.end.line,
      });
    }
    return reports;
  },
};

const SHELLS = new Set(["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"]);

function isInterpreter(name: string): boolean {
  return SHELLS.has(name) || /^(python\d?(\.\d+)?|perl|ruby|node|php)$/.test(name);
}

/** A shell or interpreter that reads its program from stdin: no script file, no -c. */
function readsScriptFromStdin(command: ShellCommand): boolean {
  if (!isInterpreter(command.name)) return false;
  const shell = SHELLS.has(command.name);
  for (let index = 0; index < command.args.length; index++) {
    const arg = command.args[index] ?? "";
    if (arg === "-" || (shell && /^-[a-rt-zA-Z]*s[a-zA-Z]*$/.test(arg))) return true;
    if (arg === "--") return shell ? command.args[index + 1] === undefined : false;
    if (/^[-+]o$/.test(arg)) index++;
    else if (/^-[abd-zA-Z]*c[a-zA-Z]*$/.test(arg) || arg === "-e" && !shell || arg === "-m") return false;
    else if (!arg.startsWith("-") && !arg.startsWith("+")) return false;
  }
  return true;
}
