import type { ShellCommand } from "../dockerfile/model.ts";
import { isRun } from "../dockerfile/model.ts";
import { estimateMB } from "./estimates.ts";
import { isShippedStage, isSingleStage, subcommand } from "./queries.ts";
import { joinWithAnd } from "../format/index.ts";
import type { SystemPackageInstall, SystemPackageManager } from "./support/runtime-image.ts";
import { classifyBaseImage, isNonProductionDockerfile, removedInSameRun, rootImageStage, startupCommands, startupInstructions, systemPackageInstall, wordResolver } from "./support/runtime-image.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// Compilers, headers and build systems are needed to build native extensions and binaries, not
// to run them. Installed in a stage that reaches the final image, they add a few hundred MB to
// every pull and a large set of packages to patch (gcc, binutils and headers have their own
// CVEs), and they let an attacker who gets a shell compile tools inside the container.
export const rule: DockerfileRule = {
  meta: {
    id: "build-tools-in-runtime",
    description: "A stage that reaches the final image installs compilers or build tools (build-essential, gcc, make, -dev headers, a JDK...).",
    impact: "high",
    category: "size",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile }) {
    if (isNonProductionDockerfile(dockerfile)) return [];
    const reports: RuleReport[] = [];
    const final = dockerfile.stages.at(-1);
    const root = final ? rootImageStage(dockerfile, final) : undefined;
    const base = root ? classifyBaseImage(root.base) : undefined;
    // node:22, python:3.12, golang... already contain gcc and make: installing them again costs nothing extra.
    const baseHasCompilers = base?.kind === "toolchain" || (base?.kind === "full" && ["node", "python", "ruby"].includes(base.image));
    const { entrypoint, cmd } = startupInstructions(dockerfile);
    const startupPrograms = new Set([entrypoint, cmd].flatMap((instruction) => (instruction ? startupCommands(instruction).map((command) => command.name) : [])));
    for (const stage of dockerfile.stages) {
      if (!isShippedStage(dockerfile, stage)) continue;
      for (const run of stage.instructions.filter(isRun)) {
        if (run.onbuild) continue;
        for (const command of run.shell.commands) {
          const resolve = wordResolver(dockerfile, stage, run, command);
          const install = systemPackageInstall(command, resolve);
          if (!install) continue;
          const removed = removedInSameRun(run, command, resolve);
          if (removed.all || (install.virtual !== undefined && removed.names.has(install.virtual.toLowerCase()))) continue;
          // A tool the container itself runs (`CMD ["make", "serve"]`) is needed at run time.
          const tools = buildTools(install).filter((tool) => !removed.names.has(tool) && !startupPrograms.has(tool));
          if (tools.length === 0) continue;
          const shown = tools.length > 5 ? [...tools.slice(0, 5), `${tools.length - 5} more`] : tools;
          const headers = tools.some((tool) => /-dev(el)?$/.test(tool)) ? " (for a -dev package, the runtime stage needs only the library itself, e.g. libpq5 for libpq-dev)" : "";
          const where = isSingleStage(dockerfile)
            ? "this single-stage build ships them in the image: use a multi-stage build, compiling in a build stage and copying only its output (binaries, wheels, node_modules) into a runtime stage"
            : `stage ${stage.name ?? stage.index} reaches the final image, so they ship: install them in a build stage and copy only its output into the runtime stage`;
          const report: RuleReport = {
            message: `${label(command)} installs build tools ${joinWithAnd(shown)}; ${where}${headers}`,
            line: run.span.start.line,
            endLine: run.span.end.line,
          };
          if (!baseHasCompilers && !reports.some((previous) => previous.estimatedSavingMB !== undefined)) report.estimatedSavingMB = estimateMB("buildToolsInRuntime");
          reports.push(report);
        }
      }
    }
    return reports;
  },
};

function label(command: ShellCommand): string {
  return `${command.name} ${subcommand(command) ?? ""}`.trim();
}

const EXACT_TOOLS: Record<SystemPackageManager, Set<string>> = {
  apt: new Set([
    "build-essential", "gcc", "g++", "cpp", "make", "cmake", "clang", "llvm", "gfortran", "autoconf", "automake", "libtool", "pkg-config", "pkgconf",
    "ninja-build", "meson", "bison", "flex", "dpkg-dev", "ccache", "scons", "swig", "nasm", "yasm", "default-jdk", "default-jdk-headless",
    "golang", "golang-go", "rustc", "cargo", "maven", "gradle",
  ]),
  apk: new Set([
    "build-base", "alpine-sdk", "gcc", "g++", "make", "cmake", "clang", "llvm", "gfortran", "autoconf", "automake", "libtool", "pkgconf", "pkgconfig",
    "musl-dev", "linux-headers", "samurai", "meson", "bison", "flex", "ccache", "nasm", "yasm", "go", "rust", "cargo", "maven", "gradle",
  ]),
  rpm: new Set([
    "gcc", "gcc-c++", "cpp", "make", "cmake", "clang", "llvm", "gcc-gfortran", "autoconf", "automake", "libtool", "pkgconfig", "pkgconf-pkg-config",
    "ninja-build", "meson", "bison", "flex", "ccache", "nasm", "kernel-headers", "golang", "rust", "cargo", "maven", "rpm-build",
  ]),
  zypper: new Set(["gcc", "gcc-c++", "make", "cmake", "clang", "llvm", "autoconf", "automake", "libtool", "pkg-config", "bison", "flex", "go", "rust", "cargo", "maven"]),
};

/** Versioned compilers, JDKs and header packages. */
const PATTERN_TOOLS: Record<SystemPackageManager, RegExp> = {
  apt: /^((gcc|g\+\+|cpp|clang|llvm|gfortran)-\d+(\.\d+)?|openjdk-\d+-jdk(-headless)?|golang-\d+(\.\d+)?(-go)?|linux-headers-.+|.+-dev)$/,
  apk: /^(gcc\d+|clang\d+|llvm\d+|openjdk\d+(-jdk)?|go\d+(\.\d+)?|.+-dev)$/,
  rpm: /^(gcc-toolset-\d.*|java-[\d.]+-openjdk-devel|kernel-devel.*|.+-devel)$/,
  zypper: /^(gcc\d+(-c\+\+)?|java-[\d_]+-openjdk-devel|patterns-devel-.+|.+-devel)$/,
};

/** Package groups that pull a compiler toolchain (`yum groupinstall "Development Tools"`). */
const TOOL_GROUPS = /^(development[ -]tools|c-development|c development tools and libraries|devel_basis|devel_c_c\+\+)$/i;

/** The build tools among an install's packages, in the order written; git counts only next to other build tools. */
function buildTools(install: SystemPackageInstall): string[] {
  const tools = install.packages.filter((name) => EXACT_TOOLS[install.manager].has(name) || PATTERN_TOOLS[install.manager].test(name));
  const groups = install.groups.filter((group) => TOOL_GROUPS.test(group)).map((group) => `group "${group}"`);
  const found = [...new Set([...tools, ...groups])];
  if (found.length > 0 && install.packages.includes("git")) found.push("git");
  return found;
}
