// The little of Cargo.toml the planner needs: the package name, [[bin]] targets, [lib], whether
// it is a workspace, and the dependency names (to spot crates that link system libraries).
// A line-based reader of TOML tables and `key = "string"` pairs; anything fancier is ignored.

export interface CargoManifest {
  packageName?: string;
  bins: { name?: string; path?: string }[];
  hasLib: boolean;
  workspace: boolean;
  dependencies: string[];
}

export function parseCargoToml(text: string): CargoManifest {
  const manifest: CargoManifest = { bins: [], hasLib: false, workspace: false, dependencies: [] };
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
