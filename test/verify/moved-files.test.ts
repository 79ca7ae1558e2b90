import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareMovedDirectories } from "../../src/verify/moved-files.ts";
import { filesystem } from "./fs-fixture.ts";

const BEFORE = filesystem({
  "/app/src/main.js": "source",
  "/app/dist/index.html": "<html>",
  "/app/dist/assets/index-1a2b.js": "bundle",
  "/app/dist/assets/index-3c4d.css": "styles",
  "/app/dist/empty": { dir: true },
});
const MOVE = [{ before: "/app/dist", after: "/usr/share/nginx/html" }];

describe("compareMovedDirectories", () => {
  it("finds nothing when every file of the old place is at the new one", () => {
    const after = filesystem({ "/usr/share/nginx/html/index.html": "<html>", "/usr/share/nginx/html/assets/index-1a2b.js": "b", "/usr/share/nginx/html/assets/index-3c4d.css": "s", "/usr/share/nginx/html/empty": { dir: true }, "/usr/share/nginx/html/50x.html": "extra is fine" });
    const result = compareMovedDirectories(BEFORE, after, MOVE);
    assert.deepEqual(result.differences, []);
    assert.equal(result.compared, 4);
  });

  it("reports the files AFTER does not have at the new place, once per move, with every path", () => {
    const after = filesystem({ "/usr/share/nginx/html/index.html": "<html>", "/usr/share/nginx/html/assets/index-1a2b.js": "b", "/app/dist/assets/index-3c4d.css": "left behind" });
    const [difference] = compareMovedDirectories(BEFORE, after, MOVE).differences;
    assert.equal(difference?.kind, "moved-file");
    assert.equal(difference?.subject, "/usr/share/nginx/html/");
    assert.deepEqual(difference?.paths, ["/usr/share/nginx/html/assets/index-3c4d.css", "/usr/share/nginx/html/empty"]);
    assert.match(difference?.message ?? "", /^2 of BEFORE's files under \/app\/dist are not under \/usr\/share\/nginx\/html in AFTER/);
  });

  it("says when BEFORE has nothing at the old place (the original built at start-up)", () => {
    const result = compareMovedDirectories(filesystem({ "/app/src/main.js": "source" }), filesystem({}), MOVE);
    assert.deepEqual(result.absent, MOVE);
    assert.deepEqual(result.differences, []);
  });
});
