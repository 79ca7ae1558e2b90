import type { RunInstruction, ShellCommand } from "../dockerfile/model.ts";
import { dependencyInstall, hasOption, isPipInstall, optionValue } from "./queries.ts";
import { checkCacheMounts, commandLabel, commandVariable, configuredNeed, homeNeed } from "./support/cache-mounts.ts";
import type { CacheNeed, RunEnvironment } from "./support/cache-mounts.ts";
import type { DockerfileRule } from "./types.ts";
import type { TextEdit } from "./types.ts";

// pip, uv and Poetry cache downloaded and built wheels. In a Docker build the cache is empty
// whenever the install layer is rebuilt, so every wheel is downloaded (and sdists rebuilt)
// again. `--no-cache-dir` keeps the image small but makes that permanent; a BuildKit cache
// mount gives both: the cache lives on the builder, never in the layer.
export const rule: DockerfileRule = {
  meta: {
    id: "python-cache-mount-missing",
    description: "pip, uv or Poetry install without a BuildKit cache mount on its cache directory downloads every package again on each rebuild.",
    impact: "medium",
    category: "cache",
    scope: "dockerfile",
    hadolint: [],
    fixable: true,
    fixLevel: "safe",
  },
  check({ dockerfile }) {
    return checkCacheMounts(dockerfile, {
      consequence: "downloads (and builds) every wheel again",
      needsOf(command, env, run) {
        const tool = pythonTool(command);
        // `--no-index` installs from local wheels (--find-links): nothing is downloaded.
        if (!tool || hasOption(command, "--no-index") || (tool === "uv" && hasOption(command, "--offline"))) return undefined;
        return { label: commandLabel(command), needs: [cacheOf(tool, command, env, run)] };
      },
      offlineNeeds(command, env, run) {
        return pythonTool(command) === "uv" && hasOption(command, "--offline") ? [cacheOf("uv", command, env, run)] : undefined;
      },
      // `pip cache purge`, `uv cache clean`, `poetry cache clear`.
      cleansCache(command) {
        const args = /^python\d?(\.\d+)?$/.test(command.name) && command.args[0] === "-m" ? command.args.slice(2) : command.args;
        const name = /^python\d?(\.\d+)?$/.test(command.name) ? (command.args[1] ?? "") : command.name;
        if (/^pip\d?(\.\d+)?$/.test(name)) return args[0] === "cache" && (args[1] === "purge" || args[1] === "remove");
        if (name === "uv") return args[0] === "cache" && (args[1] === "clean" || args[1] === "prune");
        return name === "poetry" && args[0] === "cache" && args[1] === "clear";
      },
      note(run, env) {
        const disabled = cacheDisabledBy(run, env);
        if (disabled.length === 0) return undefined;
        return `${disabled.map((item) => `\`${item}\``).join(" and ")} keeps the image small but makes every rebuild download everything; a cache mount gives both small images and fast rebuilds, so use the mount instead`;
      },
      fixEdits(run, env) {
        // A mount is useless while the cache is disabled: drop the option in the same fix; a
        // disabling ENV lives elsewhere, so no fix then.
        const commands = run.shell.commands.filter((command) => pythonTool(command) !== undefined);
        if (commands.some((command) => disablingVariable(command, env, run) !== undefined)) return undefined;
        // Poetry creates its virtualenv under the cache directory by default: under a mount the
        // installed packages would not reach the image at all.
        if (commands.some((command) => pythonTool(command) === "poetry" && !poetryVenvOutsideCache(command, env, run, dockerfile.text.slice(0, run.span.end.offset)))) return undefined;
        return removeNoCacheOptions(dockerfile.text, run, commands);
      },
    });
  },
};

type PythonTool = "pip" | "uv" | "poetry";

/**
 * Whether `poetry install` puts its virtualenv outside {cache-dir}/virtualenvs: no virtualenv
 * (`virtualenvs.create false`), one in the project, or an explicit `virtualenvs.path`, set by
 * variable or by `poetry config` before the install.
 */
function poetryVenvOutsideCache(command: ShellCommand, env: RunEnvironment, run: RunInstruction, textUpToRun: string): boolean {
  const variable = (name: string): string | undefined => commandVariable(name, env, run, command);
  if (/^(false|0)$/i.test(variable("POETRY_VIRTUALENVS_CREATE") ?? "") || /^(true|1)$/i.test(variable("POETRY_VIRTUALENVS_IN_PROJECT") ?? "") || (variable("POETRY_VIRTUALENVS_PATH") ?? "") !== "") return true;
  return /poetry\s+config\s+(?:--local\s+)?virtualenvs\.(?:create\s+(?:false|0)|in-project\s+(?:true|1)|path\s+\S)/.test(textUpToRun);
}

function pythonTool(command: ShellCommand): PythonTool | undefined {
  if (command.name === "uv") {
    if (dependencyInstall(command)?.manager === "uv" || (command.args[0] === "pip" && command.args[1] === "sync")) return "uv";
    return undefined;
  }
  if (isPipInstall(command)) return "pip";
  if (dependencyInstall(command)?.manager === "poetry") return "poetry";
  return undefined;
}

const CACHE_VARIABLES: Record<PythonTool, { variable: string; xdg: string; option?: string; noCache: string; noCacheVariable?: string }> = {
  pip: { variable: "PIP_CACHE_DIR", xdg: "pip", option: "--cache-dir", noCache: "--no-cache-dir", noCacheVariable: "PIP_NO_CACHE_DIR" },
  uv: { variable: "UV_CACHE_DIR", xdg: "uv", option: "--cache-dir", noCache: "--no-cache", noCacheVariable: "UV_NO_CACHE" },
  poetry: { variable: "POETRY_CACHE_DIR", xdg: "pypoetry", noCache: "--no-cache" },
};

/** --cache-dir, the tool's variable, $XDG_CACHE_HOME/<tool>, else ~/.cache/<tool>. */
function cacheOf(tool: PythonTool, command: ShellCommand, env: RunEnvironment, run: RunInstruction): CacheNeed {
  const names = CACHE_VARIABLES[tool];
  const label = `${tool} cache`;
  const fallback = (): CacheNeed => homeNeed(label, env, `.cache/${names.xdg}`);
  const configured = (names.option === undefined ? undefined : optionValue(command, names.option)) ?? commandVariable(names.variable, env, run, command);
  if (configured !== undefined) return configuredNeed(label, env, configured, fallback);
  const xdg = commandVariable("XDG_CACHE_HOME", env, run, command);
  if (xdg !== undefined) return configuredNeed(label, env, `${xdg}/${names.xdg}`, fallback);
  return fallback();
}

/** The variable that disables the tool's cache, when set (pip treats any value, even "false", as set). */
function disablingVariable(command: ShellCommand, env: RunEnvironment, run: RunInstruction): string | undefined {
  const tool = pythonTool(command);
  if (!tool) return undefined;
  const name = CACHE_VARIABLES[tool].noCacheVariable;
  if (name === undefined) return undefined;
  const value = commandVariable(name, env, run, command);
  if (value === undefined || value === "") return undefined;
  if (tool !== "pip" && /^(0|false|no|off)$/i.test(value)) return undefined;
  return name;
}

/** `--no-cache-dir` / `--no-cache` options and variables that switch the cache off in this RUN. */
function cacheDisabledBy(run: RunInstruction, env: RunEnvironment): string[] {
  const found = new Set<string>();
  for (const command of run.shell.commands) {
    const tool = pythonTool(command);
    if (!tool) continue;
    if (hasOption(command, CACHE_VARIABLES[tool].noCache)) found.add(CACHE_VARIABLES[tool].noCache);
    const variable = disablingVariable(command, env, run);
    if (variable) found.add(variable);
  }
  return [...found];
}

/** Edits deleting ` --no-cache-dir` (pip) / ` --no-cache` (uv, Poetry) of these commands; undefined when they cannot be found exactly. */
function removeNoCacheOptions(text: string, run: RunInstruction, commands: ShellCommand[]): TextEdit[] | undefined {
  const wanted = commands.flatMap((command) => {
    const tool = pythonTool(command);
    return tool ? command.args.filter((arg) => arg === CACHE_VARIABLES[tool].noCache) : [];
  });
  if (wanted.length === 0) return [];
  const start = run.span.start.offset;
  const raw = text.slice(start, run.span.end.offset);
  const matches = [...raw.matchAll(/(?<![ \t])[ \t]+(--no-cache-dir|--no-cache)(?=[\s;&|)]|$)/g)];
  // Every occurrence in the RUN must belong to these commands, or we would edit something else.
  if (matches.length !== wanted.length || matches.some((match, index) => match[1] !== wanted[index])) return undefined;
  return matches.map((match) => ({ start: start + (match.index ?? 0), end: start + (match.index ?? 0) + match[0].length, text: "" }));
}
