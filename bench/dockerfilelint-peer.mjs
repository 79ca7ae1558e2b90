// The peer linter of bench:audit: dockerfilelint (npm, devDependency), run as its CLI runs it
// (read each file, `dockerfilelint.run(configDir, text)`, its JSON reporter, the report on stdout),
// over every Dockerfile under DIR. Its own CLI takes file names, not folders, and exits on the
// first file it crashes on (a HEALTHCHECK without options throws in checks.js); this runner walks
// DIR, catches a file's crash and counts it, so both linters see the same files.
//
//   node bench/dockerfilelint-peer.mjs DIR > report.json     (stderr: "files N crashed M")
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const dockerfilelint = require("dockerfilelint");
const JsonReporter = require("dockerfilelint/lib/reporter/json_reporter");

const root = process.argv[2];
if (root === undefined) {
  process.stderr.write("usage: node bench/dockerfilelint-peer.mjs DIR\n");
  process.exit(2);
}
// The names shipshape reads as Dockerfiles (src/repo/kinds.ts isDockerfileName).
const isDockerfile = (name) => !name.endsWith(".dockerignore") && (/^(Dockerfile|Containerfile)(\.[^/]+)?$/.test(name) || /\.(Dockerfile|dockerfile|Containerfile)$/.test(name));
const reporter = new JsonReporter();
let files = 0;
let crashed = 0;
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.isFile() && isDockerfile(entry.name)) {
      files++;
      const text = fs.readFileSync(full, "utf8");
      try {
        reporter.addFile(full, text, dockerfilelint.run(path.dirname(full), text));
      } catch {
        crashed++;
      }
    }
  }
};
walk(root);
process.stdout.write(`${reporter.buildReport().toString()}\n`);
process.stderr.write(`files ${files} crashed ${crashed}\n`);
