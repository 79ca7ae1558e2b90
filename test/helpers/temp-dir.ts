// Temporary directories for tests, removed when the test file's tests are done (a test that
// fails half-way must not leave its databases and repositories behind in the machine's /tmp).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after } from "node:test";

const created: string[] = [];

// Registered when a test file imports this module, so it runs after all of that file's tests.
after(() => {
  for (const directory of created.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
});

/** A new empty directory under the OS temp directory (real path: macOS's /tmp is a link). */
export function tempDirectory(prefix: string): string {
  const directory = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  created.push(directory);
  return directory;
}
