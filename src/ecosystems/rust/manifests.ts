// The little of Cargo.toml the planner needs: the package name, [[bin]] targets, [lib], whether
// it is a workspace, and the dependency names (to spot crates that link system libraries).
// A line-based reader of TOML tables and `key = "string"` pairs; anything fancier is ignored.
import path from "node:path";

export interface CargoManifest {
  packageName?: string;
  bins: { name?: string; path?: string }[];
  hasLib: boolean;
  /** `[lib] path`. */
  libPath?: string;
  /** `[package] build`: a build script path (undefined: build.rs when present). */
  buildScript?: string;
  /** Paths of [[example]], [[test]] and [[bench]] targets that name one. */
  otherTargetPaths: string[];
  workspace: boolean;
  dependencies: string[];
}

export function parseCargoToml(text: string): CargoManifest {
  const manifest: CargoManifest = { bins: [], hasLib: false, otherTargetPaths: [], workspace: false, dependencies: [] };
  let table = "";
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/(?<!\s)\s+#.*$/, "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const header = /^\[\[?([^\]]+)\]\]?$/.exec(line);
    if (header?.[1] !== undefined) {
      table = header[1].trim();
      if (line.startsWith("[[") && table === "bin") manifest.bins.push({});
      if (table === "lib") manifest.hasLib = true;
      if (table === "workspace") manifest.workspace = true;
      const dependency = /^(?:target\..+\.)?(?:dependencies)\.(.+)$/.exec(table)?.[1];
      if (dependency !== undefined) manifest.dependencies.push(dependency.replace(/"/g, ""));
      continue;
    }
    const pair = /^([A-Za-z0-9_.-]+)\s*=\s*(?!\s)(.*)$/.exec(line);
    if (!pair?.[1]) continue;
    const key = pair[1];
    const value = /^"([^"]*)"$/.exec(pair[2] ?? "")?.[1];
    if (table === "package" && key === "name" && value !== undefined) manifest.packageName = value;
    if (table === "package" && key === "build" && value !== undefined) manifest.buildScript = value;
    if (table === "lib" && key === "path" && value !== undefined) manifest.libPath = value;
    if ((table === "example" || table === "test" || table === "bench") && key === "path" && value !== undefined) manifest.otherTargetPaths.push(value);
    if (table === "bin" && value !== undefined && (key === "name" || key === "path")) {
      const bin = manifest.bins.at(-1);
      if (bin) bin[key] = value;
    }
    if (/^(?:target\..+\.)?dependencies$/.test(table)) manifest.dependencies.push(key.split(".")[0] ?? key);
  }
  return manifest;
}

/** Crates that link system libraries the distroless cc image does not have. */
export const SYSTEM_LIBRARY_CRATES: Record<string, string> = {
  openssl: "libssl3",
  "openssl-sys": "libssl3",
  "native-tls": "libssl3",
  reqwest: "libssl3 (unless built with rustls)",
  "postgres-openssl": "libssl3",
  diesel: "libpq5 / libmariadb3 / libsqlite3-0",
  "pq-sys": "libpq5",
  "mysqlclient-sys": "libmariadb3",
  "libsqlite3-sys": "libsqlite3-0 (unless bundled)",
  rusqlite: "libsqlite3-0 (unless bundled)",
  "rdkafka-sys": "librdkafka1",
  "zmq-sys": "libzmq5",
};

/** A file Cargo compiles as a target root: a library, or something with `fn main` (binary, build script, example, test, bench). */
export interface TargetRoot {
  /** Context-relative path. */
  path: string;
  kind: "lib" | "main";
}

/**
 * The target roots of the package whose Cargo.toml is in `directory` ("" for the context root)
 * that exist in the context: the files the dependency stage replaces with stubs so that Cargo can
 * load the manifest and compile the dependencies. Only files that exist are listed, so the real
 * sources copied later replace every stub (a stub of a file the project does not have would add a
 * target).
 */
export function targetRoots(directory: string, manifest: CargoManifest, paths: readonly string[]): TargetRoot[] {
  const present = new Set(paths);
  const inPackage = (file: string): string => path.posix.normalize(directory === "" ? file : `${directory}/${file}`);
  const roots = new Map<string, TargetRoot["kind"]>();
  const add = (file: string | undefined, kind: TargetRoot["kind"]): void => {
    if (file === undefined) return;
    const resolved = inPackage(file);
    if (present.has(resolved) && !roots.has(resolved)) roots.set(resolved, kind);
  };
  add(manifest.libPath ?? "src/lib.rs", "lib");
  add("src/main.rs", "main");
  for (const bin of manifest.bins) {
    add(bin.path, "main");
    if (bin.name !== undefined) {
      add(`src/bin/${bin.name}.rs`, "main");
      add(`src/bin/${bin.name}/main.rs`, "main");
    }
  }
  const binDirectory = `${inPackage("src/bin")}/`;
  for (const file of paths) {
    if (!file.startsWith(binDirectory)) continue;
    const rest = file.slice(binDirectory.length);
    if (/^[^/]+\.rs$/.test(rest) || /^[^/]+\/main\.rs$/.test(rest)) add(path.posix.relative(directory === "" ? "." : directory, file), "main");
  }
  add(manifest.buildScript ?? "build.rs", "main");
  for (const file of manifest.otherTargetPaths) add(file, "main");
  return [...roots].map(([file, kind]) => ({ path: file, kind })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
