import type { ShellCommand } from "../dockerfile/model.ts";
import { isRun } from "../dockerfile/model.ts";
import { isShippedStage, subcommand } from "./queries.ts";
import { joinWithAnd } from "../format/index.ts";
import { isNonProductionDockerfile } from "./support/runtime-image.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// A build that runs in the image that ships leaves everything it needed behind: the sources,
// the compiler or bundler, devDependencies, intermediate objects and caches. A build stage
// keeps them out: the runtime stage copies only what the build produced (dist/, a binary, a jar).
export const rule: DockerfileRule = {
  meta: {
    id: "build-in-final-stage",
    description: "Build steps (npm run build, tsc, go build, cargo build, mvn package, dotnet publish...) run in a stage that reaches the final image.",
    impact: "high",
    category: "size",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile }) {
    if (isNonProductionDockerfile(dockerfile)) return [];
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      if (!isShippedStage(dockerfile, stage)) continue;
      for (const run of stage.instructions.filter(isRun)) {
        if (run.onbuild) continue;
        const steps = [...new Set(run.shell.commands.map(buildStep).filter((step): step is string => step !== undefined))];
        if (steps.length === 0) continue;
        const where = stage.isFinal ? "the final stage" : `stage ${stage.name ?? stage.index}, which the final stage builds on`;
        reports.push({
          message:
            `${joinWithAnd(steps.map((step) => `\`${step}\``))} ${steps.length === 1 ? "runs" : "run"} in ${where}, so the sources, the build toolchain and its dependencies ship with the result: ` +
            "run the build in a separate stage (FROM ... AS build) and COPY --from=build only its output (dist/, the binary, the jar) into a runtime stage",
          line: run.span.start.line,
          endLine: run.span.end.line,
        });
      }
    }
    return reports;
  },
};

const NODE_MANAGERS = new Set(["npm", "yarn", "pnpm", "bun"]);
const BUILD_SCRIPT = /^(build|compile|bundle)([:_-].*)?$/;
/** Runners of a package's binary: `npx tsc`, `npm exec -- vite build`, `pnpm dlx`, `bunx`. */
const NODE_RUNNERS = new Set(["npx", "bunx", "pnpx"]);

/** The build step a command is, as the message names it; undefined for anything else. */
export function buildStep(command: ShellCommand): string | undefined {
  const sub = subcommand(command);
  const argsAfter = (word: string): string[] => command.args.slice(command.args.indexOf(word) + 1);
  if (NODE_MANAGERS.has(command.name)) {
    if (sub === undefined) return undefined;
    if (sub === "run" || sub === "run-script") {
      const script = argsAfter(sub).find((arg) => !arg.startsWith("-"));
      return script !== undefined && BUILD_SCRIPT.test(script) ? `${command.name} ${sub} ${script}` : undefined;
    }
    if (sub === "exec" || sub === "dlx" || sub === "x") {
      const rest = argsAfter(sub).filter((arg) => arg !== "--");
      const toolIndex = rest.findIndex((arg) => !arg.startsWith("-"));
      return toolIndex < 0 ? undefined : toolStep(rest.slice(toolIndex), `${command.name} ${sub} `);
    }
    // yarn, pnpm and bun run scripts without `run`: `yarn build`, `pnpm build`; `bun build` is bun's bundler.
    if (command.name !== "npm" && BUILD_SCRIPT.test(sub)) return `${command.name} ${sub}`;
    return undefined;
  }
  if (NODE_RUNNERS.has(command.name)) {
    // The runner's own options come before the tool: `npx -y tsc --noEmit`.
    const toolIndex = command.args.findIndex((arg) => !arg.startsWith("-"));
    return toolIndex < 0 ? undefined : toolStep(command.args.slice(toolIndex), `${command.name} `);
  }
  switch (command.name) {
    case "go":
      if (sub === "build") return "go build";
      // `go install ./cmd/app` builds the module's own code; `go install tool@version` fetches a tool.
      if (sub === "install" && argsAfter(sub).some((arg) => arg.startsWith("."))) return "go install";
      return undefined;
    case "cargo":
      if (sub === "build") return "cargo build";
      if (sub === "install" && command.args.some((arg) => arg === "--path" || arg.startsWith("--path="))) return "cargo install --path";
      return undefined;
    case "mvn":
    case "mvnw": {
      const goal = command.args.find((arg) => /^(package|install|verify|deploy|spring-boot:repackage)$/.test(arg));
      return goal ? `${command.name} ${goal}` : undefined;
    }
    case "gradle":
    case "gradlew": {
      const task = command.args.find((arg) => /^(:?[\w-]+:)*(build|assemble|bootJar|bootWar|jar|war|shadowJar|installDist|distTar|distZip)$/.test(arg));
      return task ? `${command.name} ${task}` : undefined;
    }
    case "dotnet":
      return sub === "publish" || sub === "build" ? `dotnet ${sub}` : undefined;
    default:
      return toolStep([command.name, ...command.args], "");
  }
}

/** Front-end and TypeScript build tools, given the words starting with the tool's name. */
function toolStep(words: string[], prefix: string): string | undefined {
  const [tool = "", ...rest] = words;
  const name = tool.split("/").pop() ?? "";
  const action = rest.find((word) => !word.startsWith("-"));
  switch (name) {
    case "tsc":
      // A type check (`tsc --noEmit`) or `tsc --version` produces nothing to ship.
      return rest.some((word) => /^(--noEmit|--version|-v|--help|-h)$/.test(word)) ? undefined : `${prefix}tsc`;
    case "webpack":
    case "webpack-cli":
      return action === "serve" || action === "watch" ? undefined : `${prefix}${name}`;
    case "rollup":
    case "tsup":
    case "esbuild":
      return rest.includes("--watch") || rest.includes("-w") ? undefined : `${prefix}${name}`;
    case "vite":
    case "next":
    case "ng":
    case "nest":
    case "astro":
    case "gatsby":
    case "remix":
    case "ember":
    case "parcel":
    case "react-scripts":
      return action === "build" ? `${prefix}${name} build` : undefined;
    case "vue-cli-service":
      return action === "build" ? `${prefix}vue-cli-service build` : undefined;
    case "nuxt":
    case "nuxi":
      return action === "build" || action === "generate" ? `${prefix}${name} ${action}` : undefined;
    default:
      return undefined;
  }
}
