// `npm run demo`: the main job on the bundled example. Audits examples/shop and prints the
// report; the findings are the point, so the demo exits 0 even though the audit finds plenty.
import { runCli } from "../src/cli/main.ts";

const root = new URL("..", import.meta.url).pathname;
const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
  cwd: root,
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
};
const code = await runCli(["audit", "examples/shop", "--fail-on", "none"], io);
process.stdout.write("\nNext: `npm run shipshape -- audit examples/shop --format markdown` for the committed audit document,\n`npm run shipshape -- rules` for every rule.\n");
process.exitCode = code;
