import fs from "node:fs";

/** shipshape's version, from its package.json (src/cli/ and dist/cli/ are both two levels down). */
export function packageVersion(): string {
  try {
    const text = fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    return (JSON.parse(text) as { version?: string }).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}
