import type { DockerfileModel, Instruction, RunInstruction, ShellCommand } from "../dockerfile/model.ts";
import { hasOption, optionValue, subcommand } from "./queries.ts";
import { checkCacheMounts, commandVariable, configuredNeed, homeNeed, resolveRunPath } from "./support/cache-mounts.ts";
import type { CacheNeed, RunEnvironment } from "./support/cache-mounts.ts";
import type { DockerfileRule } from "./types.ts";

// cargo downloads crates into $CARGO_HOME/registry and compiles them into the target
// directory. Whenever the build layer is rebuilt both start empty: every crate is downloaded
// and every dependency recompiled, often minutes per build. Cache mounts keep them. A target
// dir under a cache mount is not in the layer, so the binary must be copied out in that RUN.
export const rule: DockerfileRule = {
  meta: {
    id: "cargo-cache-mount-missing",
    description: "cargo build, fetch or install without BuildKit cache mounts on the cargo registry and the target directory.",
    impact: "medium",
    category: "cache",
    scope: "dockerfile",
    hadolint: [],
    fixable: true,
    fixLevel: "safe",
  },
  check({ dockerfile }) {
    return checkCacheMounts(dockerfile, {
      consequence: "downloads every crate and recompiles every dependency again",
      // `cargo run` at start-up builds with the registry (and target directory) the image holds.
      readAtStartup: (command) => command.name === "cargo",
      needsOf(command, env, run) {
        if (command.name !== "cargo") return undefined;
        const sub = subcommand(command);
        if (sub !== "build" && sub !== "fetch" && sub !== "install") return undefined;
        // --offline/--frozen read crates already in the registry (or vendored): nothing to download.
        const needs = offline(command) ? [] : [registry(command, env, run)];
        // `cargo install <crate>` builds in a temporary directory; only `--path` uses the project's target dir.
        if (sub === "build" || (sub === "install" && hasOption(command, "--path"))) needs.push(targetDir(command, env, run));
        return { label: `cargo ${sub}`, needs };
      },
      offlineNeeds(command, env, run) {
        return command.name === "cargo" && offline(command) ? [registry(command, env, run)] : undefined;
      },
      note(run, env, missing) {
        if (!missing.some((need) => need.label === "cargo target directory")) return undefined;
        return targetMountIsSafe(dockerfile, run, env) ? undefined : "With the target directory on a cache mount its contents are not in the image: copy the binary out (e.g. `cp target/release/app /usr/local/bin/`) in the same RUN";
      },
      fixEdits(run, env, missing) {
        if (!missing.some((need) => need.label === "cargo target directory")) return [];
        return targetMountIsSafe(dockerfile, run, env) ? [] : undefined;
      },
    });
  },
};

function offline(command: ShellCommand): boolean {
  return hasOption(command, "--offline", "--frozen");
}

/** $CARGO_HOME/registry; CARGO_HOME is /usr/local/cargo in the rust images, ~/.cargo otherwise. */
function registry(command: ShellCommand, env: RunEnvironment, run: RunInstruction): CacheNeed {
  const label = "cargo registry";
  const fallback = (): CacheNeed => {
    if (env.baseImage === "rust") return { label, target: "/usr/local/cargo/registry", display: "/usr/local/cargo/registry" };
    return { ...homeNeed(label, env, ".cargo/registry"), alternatives: ["/usr/local/cargo/registry"] };
  };
  const cargoHome = commandVariable("CARGO_HOME", env, run, command);
  return cargoHome === undefined ? fallback() : configuredNeed(label, env, `${cargoHome}/registry`, fallback);
}

/** --target-dir, CARGO_TARGET_DIR, else target/ under WORKDIR (any cache mount named `target` counts: `cd` may move it). */
function targetDir(command: ShellCommand, env: RunEnvironment, run: RunInstruction): CacheNeed {
  const label = "cargo target directory";
  const configured = optionValue(command, "--target-dir") ?? commandVariable("CARGO_TARGET_DIR", env, run, command);
  const need = configuredNeed(label, env, configured ?? "target", () => ({ label, target: undefined, display: "target" }));
  return { ...need, suffix: "/target" };
}

/**
 * Putting the target directory on a cache mount is only safe when this RUN copies what it
 * needs out of it and nothing later reads target/ from the layer (a `COPY --from=build
 * /app/target/release/app` would find nothing).
 */
function targetMountIsSafe(model: DockerfileModel, run: RunInstruction, env: RunEnvironment): boolean {
  const target = resolveRunPath("target", env);
  const mentionsTarget = (text: string): boolean => /(^|[\s/"'=])target\//.test(text) || (target !== undefined && text.includes(`${target}/`));
  const copiesOut = run.shell.commands.some((command) => ["cp", "mv", "install", "rsync", "strip"].includes(command.name) && command.args.some(mentionsTarget));
  if (!copiesOut) return false;
  const later: Instruction[] = model.instructions.filter((instruction) => instruction.index > run.index);
  return !later.some((instruction) => mentionsTarget(model.text.slice(instruction.span.start.offset, instruction.span.end.offset)));
}
