// npm's `prepare` hook. Installing shipshape from a git URL runs it in the fresh clone, which must
// then build dist/ (an installed package runs the compiled JavaScript: Node does not strip types
// under node_modules). A checkout's own `npm ci`/`npm install` skips the build: it runs src/
// directly. npm tells the two apart by where it installs: the clone's prepare runs for another
// prefix (the project installing shipshape), a checkout's for itself.
import { execFileSync } from "node:child_process";
import path from "node:path";

const installingFor = process.env.npm_config_local_prefix;
if (installingFor !== undefined && path.resolve(installingFor) !== path.resolve(process.cwd())) {
  execFileSync("npm", ["run", "build"], { stdio: "inherit" });
}
