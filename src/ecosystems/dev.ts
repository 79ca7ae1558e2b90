// The `dev` target of a rewrite (`shipshape fix --level rewrite --dev`): a stage for working on
// the code with the sources bind-mounted over the application directory. It starts from the
// stage that already holds every dependency (dev dependencies included) and runs the project's
// own development command: the `dev` npm script, a Python server with reload, `go run`,
// `cargo run`. It is placed before the runtime stage, which stays last so that a plain
// `docker build` still builds production. Pure: reads only the planner's input and plan.
import { readNodeProject } from "./node/project.ts";
import type { PlannedStages, PlannerInput } from "./plan-types.ts";
import type { StagePlan } from "./render.ts";
import { execForm, plainWords } from "./render.ts";

/** What compose needs to run the dev target (compose.dev.yaml). */
export interface DevTarget {
  /** The stage name (`build.target`). */
  stage: string;
  /** Where the sources are mounted. */
  workdir: string;
  /** The development command (exec form). */
  command: string[];
  /** Directories the image provides inside the workdir that a bind mount would hide (kept as anonymous volumes): node_modules. */
  keepPaths: string[];
}

export interface PlannedDevStage {
  stage: StagePlan;
  target: DevTarget;
}

export const DEV_STAGE = "dev";

/** undefined (with a note) when the ecosystem has no dev stage (Java, static sites without a dev script). */
export function planDevStage(input: PlannerInput, planned: PlannedStages): PlannedDevStage | undefined {
  const { original, messages } = input;
  const workdir = original.hasWorkdir && original.workdir !== "/" ? original.workdir : "/app";
  const stageNames = new Set(planned.stages.map((stage) => stage.name));
  const command = devCommand(input, planned);
  if (command === undefined) {
    messages.notes.push(`No dev target: shipshape does not know how to run a ${planned.ecosystem} project for development.`);
    return undefined;
  }
  // Python's virtualenv is in `deps` when the sources have their own build stage, else in `build`.
  const parent = planned.ecosystem === "python" && !stageNames.has("deps") ? "build" : "deps";
  const lines: string[] = [];
  const hasParent = stageNames.has(parent);
  // Without a stage that holds every dependency, the dev stage installs them itself.
  if (!hasParent && planned.devInstall !== undefined) lines.push(...planned.devInstall);
  else if (!hasParent) lines.push(`WORKDIR ${workdir}`);
  lines.push(...(planned.devServer?.setup ?? []));
  for (const [key, value] of original.env) {
    if (key === "NODE_ENV") continue;
    lines.push(`ENV ${key}=${/^[\w./:@,+-]*$/.test(value) ? value : JSON.stringify(value)}`);
  }
  if (planned.ecosystem === "node" || planned.ecosystem === "static-web") lines.push("ENV NODE_ENV=development");
  // The sources, so that the image also runs without the bind mount (the Python build stage may hold only the virtualenv).
  lines.push("COPY . .");
  if (original.exposedPorts.length > 0) lines.push(`EXPOSE ${original.exposedPorts.join(" ")}`);
  lines.push(`CMD ${execForm(command)}`);
  // node_modules moved out of the workdir (the original's bind-mount convention) is not hidden by the mount.
  const keepPaths = (planned.ecosystem === "node" || planned.ecosystem === "static-web") && planned.devServer?.nodeModulesMoved !== true ? [`${workdir.replace(/(?<!\/)\/+$/, "")}/node_modules`] : [];
  messages.notes.push(`Dev target \`${DEV_STAGE}\` (\`docker build --target ${DEV_STAGE}\`): all dependencies, sources from a bind mount at ${workdir}, runs \`${command.join(" ")}\`.`);
  return {
    stage: { from: hasParent ? parent : original.baseText, name: DEV_STAGE, purpose: "Development: every dependency, sources bind-mounted over the workdir (compose.dev.yaml); not for production.", lines },
    target: { stage: DEV_STAGE, workdir, command, keepPaths },
  };
}

function originalCommand(input: PlannerInput): string[] | undefined {
  const { entrypoint, cmd } = input.original;
  const words = (instruction: typeof cmd): string[] | undefined => {
    if (instruction === undefined || instruction.form === "none") return [];
    return instruction.form === "exec" ? instruction.command : plainWords(instruction.argumentText);
  };
  const head = words(entrypoint);
  const tail = words(cmd);
  if (head === undefined || tail === undefined) return undefined;
  const argv = [...head, ...tail];
  return argv.length > 0 ? argv : undefined;
}

function devCommand(input: PlannerInput, planned: PlannedStages): string[] | undefined {
  // The development server the original ran, replaced in the runtime stage: the dev target runs it as it was.
  if (planned.devServer !== undefined && planned.devServer.command.length > 0) return planned.devServer.command;
  switch (planned.ecosystem) {
    case "node":
    case "static-web":
      return nodeDevCommand(input);
    case "python":
      return pythonDevCommand(originalCommand(input));
    case "go":
      return ["go", "run", goPackage(planned)];
    case "rust":
      return ["cargo", "run"];
    case "java":
      return undefined;
  }
}

/** The `dev` script (dev servers listen on every interface so the host can reach them), else `start`. */
function nodeDevCommand(input: PlannerInput): string[] | undefined {
  const project = readNodeProject(input.original, input.files, { review: [], notes: [] });
  if (!project) return undefined;
  const scripts = project.manifest.scripts ?? {};
  const script = scripts.dev !== undefined ? "dev" : scripts.start !== undefined ? "start" : undefined;
  if (script === undefined) return originalCommand(input);
  const run = project.manager.runScript(script).split(" ");
  // Without a dev script, `start` usually runs the build output, which the mounted sources lack.
  if (script === "start" && project.buildCommands.length > 0) return ["sh", "-c", [...project.buildCommands, run.join(" ")].join(" && ")];
  // Vite's dev server listens on localhost only, which a container's port mapping cannot reach.
  if (/\bvite\b/.test(scripts[script] ?? "") && !/--host\b/.test(scripts[script] ?? "")) {
    return project.manager.manager === "npm" ? [...run, "--", "--host", "0.0.0.0"] : [...run, "--host", "0.0.0.0"];
  }
  return run;
}

/** The original server command with its reload switch when the server is one that has it. */
function pythonDevCommand(argv: string[] | undefined): string[] | undefined {
  if (argv === undefined) return undefined;
  const program = argv[0] ?? "";
  const module = program.startsWith("python") && argv[1] === "-m" ? argv[2] : undefined;
  const server = module ?? program.split("/").at(-1);
  if ((server === "uvicorn" || server === "gunicorn") && !argv.includes("--reload")) return [...argv, "--reload"];
  if (server === "flask" && argv.includes("run") && !argv.includes("--debug")) return [...argv, "--debug"];
  return argv;
}

/** The package the build stage compiles (`go build ... ./cmd/server`), else the module root. */
function goPackage(planned: PlannedStages): string {
  const build = planned.stages.find((stage) => stage.name === "build");
  for (const line of build?.lines ?? []) {
    const match = /\bgo build\b(.*)$/.exec(line.replace(/\\\n\s*/g, " "));
    if (!match) continue;
    const last = (match[1] ?? "").trim().split(/\s+/).at(-1) ?? "";
    if (last.startsWith(".") || (last !== "" && !last.startsWith("-") && !last.startsWith('"') && !last.includes("$"))) {
      // `-o /out/server` ends with the output path when no package is named.
      const words = (match[1] ?? "").trim().split(/\s+/);
      if (words.at(-2) !== "-o") return last;
    }
  }
  return ".";
}
