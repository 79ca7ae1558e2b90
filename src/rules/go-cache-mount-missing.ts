import type { RunInstruction, ShellCommand } from "../dockerfile/model.ts";
import { subcommand } from "./queries.ts";
import { checkCacheMounts, commandLabel, commandVariable, configuredNeed, homeNeed } from "./support/cache-mounts.ts";
import type { CacheNeed, RunEnvironment } from "./support/cache-mounts.ts";
import type { DockerfileRule } from "./types.ts";

// Go keeps downloaded modules in GOMODCACHE (/go/pkg/mod in the golang images) and compiled
// packages in GOCACHE (~/.cache/go-build). Both start empty whenever the layer is rebuilt, so
// every source change re-downloads all modules and recompiles every dependency. Cache mounts
// make rebuilds incremental, like on a laptop.
export const rule: DockerfileRule = {
  meta: {
    id: "go-cache-mount-missing",
    description: "go build, go mod download, go install or go test without BuildKit cache mounts on the module cache and the build cache.",
    impact: "medium",
    category: "cache",
    scope: "dockerfile",
    hadolint: [],
    fixable: true,
    fixLevel: "safe",
  },
  check({ dockerfile, buildContext }) {
    // Since Go 1.14 a vendor/modules.txt next to go.mod switches builds to the vendor directory.
    const vendored = buildContext?.entries.some((entry) => !entry.excluded && /(^|\/)vendor\/modules\.txt$/.test(entry.path)) ?? false;
    return checkCacheMounts(dockerfile, {
      consequence: "downloads every module and recompiles every package again",
      // `go run` at start-up compiles with the module and build caches the image holds.
      readAtStartup: (command) => command.name === "go" && ["run", "build", "test", "generate"].includes(subcommand(command) ?? ""),
      needsOf(command, env, run) {
        if (command.name !== "go") return undefined;
        const sub = subcommand(command);
        const downloadOnly = sub === "mod" && command.args.includes("download");
        if (!downloadOnly && !["build", "install", "test"].includes(sub ?? "")) return undefined;
        const needs: CacheNeed[] = [];
        if (downloadOnly || (!usesVendor(command, env, run, vendored) && !proxyOff(command, env, run))) needs.push(moduleCache(command, env, run));
        if (!downloadOnly) needs.push(buildCache(command, env, run));
        return { label: downloadOnly ? "go mod download" : commandLabel(command), needs };
      },
      // GOPROXY=off: modules must already be in the module cache (a layer filled by go mod download).
      offlineNeeds(command, env, run) {
        return command.name === "go" && proxyOff(command, env, run) && !usesVendor(command, env, run, vendored) ? [moduleCache(command, env, run)] : undefined;
      },
    });
  },
};

function proxyOff(command: ShellCommand, env: RunEnvironment, run: RunInstruction): boolean {
  return commandVariable("GOPROXY", env, run, command) === "off";
}

/** `-mod=vendor` (flag or GOFLAGS), or a vendor directory without `-mod=mod`. */
function usesVendor(command: ShellCommand, env: RunEnvironment, run: RunInstruction, vendored: boolean): boolean {
  const flags = [...command.args, ...(commandVariable("GOFLAGS", env, run, command) ?? "").split(/\s+/)];
  if (flags.includes("-mod=vendor")) return true;
  if (flags.includes("-mod=mod") || flags.includes("-mod=readonly")) return false;
  return vendored;
}

/** GOMODCACHE, else the first GOPATH entry's pkg/mod; GOPATH is /go in the golang images, ~/go otherwise. */
function moduleCache(command: ShellCommand, env: RunEnvironment, run: RunInstruction): CacheNeed {
  const label = "Go module cache";
  const configured = commandVariable("GOMODCACHE", env, run, command);
  const gopath = commandVariable("GOPATH", env, run, command)?.split(":")[0];
  const fallback = (): CacheNeed => {
    if (env.baseImage === "golang") return { label, target: "/go/pkg/mod", display: "/go/pkg/mod" };
    // Another base may set GOPATH=/go too (we cannot see its ENV): accept that mount as well.
    const home = homeNeed(label, env, "go/pkg/mod");
    return { ...home, alternatives: ["/go/pkg/mod"] };
  };
  if (configured !== undefined) return configuredNeed(label, env, configured, fallback);
  if (gopath !== undefined && gopath !== "") return configuredNeed(label, env, `${gopath}/pkg/mod`, fallback);
  return fallback();
}

/** GOCACHE, else $XDG_CACHE_HOME/go-build, else ~/.cache/go-build. */
function buildCache(command: ShellCommand, env: RunEnvironment, run: RunInstruction): CacheNeed {
  const label = "Go build cache";
  const fallback = (): CacheNeed => homeNeed(label, env, ".cache/go-build");
  const configured = commandVariable("GOCACHE", env, run, command);
  if (configured !== undefined) return configuredNeed(label, env, configured, fallback);
  const xdg = commandVariable("XDG_CACHE_HOME", env, run, command);
  if (xdg !== undefined) return configuredNeed(label, env, `${xdg}/go-build`, fallback);
  return fallback();
}
