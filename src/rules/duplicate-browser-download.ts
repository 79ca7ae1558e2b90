import type { DockerfileModel, Instruction, RunInstruction, ShellCommand, Stage } from "../dockerfile/model.ts";
import { isRun } from "../dockerfile/model.ts";
import type { BuildContext } from "../repo/snapshot.ts";
import { estimateMB } from "./estimates.ts";
import { hasOption, isShippedStage, subcommand } from "./queries.ts";
import { contextManifests, environmentAt, positionalArgs, variableValue } from "./support/package-hygiene.ts";
import { systemPackageInstall, wordResolver } from "./support/runtime-image.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// puppeteer downloads its own Chrome when installed, and `playwright install` its own
// Chromium build: a few hundred MB each. Images that also install a system chromium or
// google-chrome (for its shared libraries, or to run it) then ship two browsers and use one.
export const rule: DockerfileRule = {
  meta: {
    id: "duplicate-browser-download",
    description: "puppeteer, playwright or pyppeteer download their own browser while the image also installs a system Chromium or Chrome.",
    impact: "high",
    category: "size",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile, buildContext, repository }) {
    const shipped = dockerfile.stages.filter((stage) => isShippedStage(dockerfile, stage));
    let systemBrowser: { instruction: Instruction; name: string } | undefined;
    const downloads: { run: RunInstruction; label: string; remedy: string }[] = [];
    for (const stage of shipped) {
      for (const run of stage.instructions.filter(isRun)) {
        if (run.onbuild) continue;
        for (const command of run.shell.commands) {
          const install = systemPackageInstall(command, wordResolver(dockerfile, stage, run, command));
          const browser = install?.packages.find((name) => /^(chromium|chromium-browser|chromium-headless-shell|google-chrome-(stable|beta|unstable))$|^google-chrome.*\.(deb|rpm)$/.test(name));
          if (browser && !systemBrowser) systemBrowser = { instruction: run, name: browser };
          const download = browserDownload(command, run, stage, dockerfile, buildContext, repository.snapshot.texts);
          if (download) downloads.push({ run, ...download });
        }
      }
    }
    if (!systemBrowser) return [];
    const browserLine = systemBrowser.instruction.span.start.line;
    return downloads.map(({ run, label, remedy }): RuleReport => ({
      message: `${label} downloads its own browser although line ${browserLine} installs ${systemBrowser?.name} from the distribution: the image ships two browsers; ${remedy}`,
      line: run.span.start.line,
      endLine: run.span.end.line,
      estimatedSavingMB: estimateMB("browserDownload"),
    }));
  },
};

const PUPPETEER_REMEDY = "set ENV PUPPETEER_SKIP_DOWNLOAD=true (PUPPETEER_SKIP_CHROMIUM_DOWNLOAD before puppeteer 19) and PUPPETEER_EXECUTABLE_PATH to the system browser before the install, or drop the system browser";
const PLAYWRIGHT_REMEDY = "keep one: Playwright's own build (`playwright install --with-deps chromium`, without the distribution package) or the system browser (launch it with executablePath and skip `playwright install`)";

function browserDownload(
  command: ShellCommand,
  run: RunInstruction,
  stage: Stage,
  dockerfile: DockerfileModel,
  context: BuildContext | undefined,
  texts: ReadonlyMap<string, string>,
): { label: string; remedy: string } | undefined {
  const sub = subcommand(command);
  // `playwright install [browsers]` through npx, pnpm exec, yarn or python -m; `install-deps` only installs libraries.
  const playwrightArgs = playwrightInvocation(command);
  if (playwrightArgs && playwrightArgs[0] === "install") return { label: "playwright install", remedy: PLAYWRIGHT_REMEDY };
  if (command.name === "pyppeteer-install") return { label: "pyppeteer-install", remedy: "point pyppeteer at the system browser (executablePath) instead of downloading one, or drop the system browser" };
  if (command.name === "npx" && command.args.includes("puppeteer") && command.args.includes("browsers") && command.args.includes("install")) return { label: "npx puppeteer browsers install", remedy: PUPPETEER_REMEDY };

  if (!["npm", "yarn", "pnpm"].includes(command.name)) return undefined;
  const installs = ["ci", "install", "i", "add"].includes(sub ?? "") || (command.name === "yarn" && sub === undefined);
  if (!installs || hasOption(command, "--ignore-scripts")) return undefined;
  // puppeteer's postinstall downloads Chrome unless told not to.
  const env = environmentAt(dockerfile, stage, run);
  const skip = ["PUPPETEER_SKIP_DOWNLOAD", "PUPPETEER_SKIP_CHROMIUM_DOWNLOAD"].some((name) => /^(true|1|yes)$/i.test(variableValue(name, env, run, command) ?? ""));
  if (skip || hasPuppeteerConfig(context)) return undefined;
  const named = positionalArgs(command).filter((name) => !name.startsWith("-"));
  if (named.length > 0) return named.some((name) => /^puppeteer(@.*)?$/.test(name)) ? { label: `${command.name} ${sub} puppeteer`, remedy: PUPPETEER_REMEDY } : undefined;
  const dependsOnPuppeteer = contextManifests(context, texts, "package.json").some((manifest) => /"puppeteer"\s*:/.test(manifest));
  return dependsOnPuppeteer ? { label: `${command.name}${sub ? ` ${sub}` : ""} (puppeteer is in package.json)`, remedy: PUPPETEER_REMEDY } : undefined;
}

/** The arguments after `playwright` when a command runs the Playwright CLI, else undefined. */
function playwrightInvocation(command: ShellCommand): string[] | undefined {
  const args = command.args.filter((arg) => !arg.startsWith("-"));
  if (command.name === "playwright") return args;
  if (["npx", "bunx", "pnpx"].includes(command.name) || (["pnpm", "yarn", "npm"].includes(command.name) && (args[0] === "exec" || args[0] === "dlx"))) {
    const index = args.findIndex((arg) => /^(@playwright\/test|playwright)(@.*)?$/.test(arg));
    return index >= 0 ? args.slice(index + 1) : undefined;
  }
  if (command.name === "yarn" && args[0] === "playwright") return args.slice(1);
  if (/^python\d?(\.\d+)?$/.test(command.name)) {
    const module = command.args.indexOf("-m");
    return module >= 0 && command.args[module + 1] === "playwright" ? command.args.slice(module + 2).filter((arg) => !arg.startsWith("-")) : undefined;
  }
  return undefined;
}

/** A puppeteer configuration file can set skipDownload; without reading it, assume it does. */
function hasPuppeteerConfig(context: BuildContext | undefined): boolean {
  return context?.entries.some((entry) => !entry.excluded && /(^|\/)(\.puppeteerrc(\.(c?js|json|ya?ml|mjs))?|puppeteer\.config\.(c?js|mjs|ts))$/.test(entry.path)) ?? false;
}
