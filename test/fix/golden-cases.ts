// Loads the golden cases of test/fixtures/fix/<case>/: the real files of a build context, plus
// context.json (paths and sizes of files that cannot be committed: node_modules, .git, .env)
// and the expected results expected.Dockerfile / expected.dockerignore.
import fs from "node:fs";
import path from "node:path";

export const GOLDEN_ROOT = path.join(import.meta.dirname, "..", "fixtures", "fix");

export interface GoldenCase {
  name: string;
  directory: string;
  /** The input repository: real files (text) and context.json stand-ins (sizes). */
  files: Record<string, string | number>;
  /** After every fix, both levels (`--level rewrite` for Dockerfiles the planner declines). */
  expectedDockerfile: string;
  /** After the safe fixes only (`shipshape fix`); these never create a .dockerignore. */
  expectedSafeDockerfile: string;
  /** Undefined: the fix must not create a .dockerignore. */
  expectedDockerignore: string | undefined;
}

function walk(directory: string, prefix = ""): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? walk(path.join(directory, entry.name), relative) : [relative];
  });
}

export function goldenCases(): GoldenCase[] {
  return fs
    .readdirSync(GOLDEN_ROOT, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => loadCase(entry.name));
}

export function loadCase(name: string): GoldenCase {
  const directory = path.join(GOLDEN_ROOT, name);
  const files: Record<string, string | number> = {};
  for (const relative of walk(directory)) {
    if (relative === "context.json" || relative.startsWith("expected.")) continue;
    files[relative] = fs.readFileSync(path.join(directory, relative), "utf8");
  }
  const contextFile = path.join(directory, "context.json");
  if (fs.existsSync(contextFile)) Object.assign(files, JSON.parse(fs.readFileSync(contextFile, "utf8")) as Record<string, number>);
  const read = (file: string): string | undefined => (fs.existsSync(path.join(directory, file)) ? fs.readFileSync(path.join(directory, file), "utf8") : undefined);
  const expectedDockerfile = read("expected.Dockerfile");
  if (expectedDockerfile === undefined) throw new Error(`${name}: expected.Dockerfile is missing`);
  const expectedSafeDockerfile = read("expected.safe.Dockerfile");
  if (expectedSafeDockerfile === undefined) throw new Error(`${name}: expected.safe.Dockerfile is missing`);
  return { name, directory, files, expectedDockerfile, expectedSafeDockerfile, expectedDockerignore: read("expected.dockerignore") };
}
