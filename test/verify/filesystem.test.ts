import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { absolutePath, isWithin, joinPath, mergeLayers } from "../../src/verify/filesystem.ts";
import { filesystem, layer } from "./fs-fixture.ts";

describe("merged filesystem", () => {
  it("applies layers in order: later files replace earlier ones", () => {
    const merged = filesystem({ "/app/a.txt": "one", "/app/b.txt": "b" }, { "/app/a.txt": "two" });
    assert.equal(merged.entry("/app/a.txt")?.content?.text, "two");
    assert.equal(merged.entry("/app/b.txt")?.content?.text, "b");
    assert.equal(merged.entry("/app")?.type, "directory", "parents are implied");
  });

  it("a .wh. whiteout deletes a file or a whole directory from the layers below", () => {
    const merged = filesystem(
      { "/app/keep.txt": "k", "/app/gone.txt": "g", "/app/cache/x": "x", "/app/cache/y/z": "z" },
      { "/app/.wh.gone.txt": { whiteout: true }, "/app/.wh.cache": { whiteout: true } },
    );
    assert.deepEqual(merged.list("/app"), ["keep.txt"]);
    assert.equal(merged.entry("/app/cache/y/z"), undefined);
    assert.equal(merged.entry("/app/.wh.gone.txt"), undefined, "whiteouts are not files");
  });

  it("an opaque directory hides what lower layers put there, not what its own layer adds", () => {
    const merged = filesystem({ "/app/old/a": "a", "/app/old/b": "b", "/app/other": "o" }, { "/app/old/.wh..wh..opq": { whiteout: true }, "/app/old/c": "c" });
    assert.deepEqual(merged.list("/app/old"), ["c"]);
    assert.deepEqual(merged.list("/app"), ["old", "other"]);
  });

  it("a whiteout in a layer does not delete what the same layer adds", () => {
    const merged = filesystem({ "/etc/conf": "old" }, { "/etc/.wh.conf": { whiteout: true }, "/etc/conf": "new" });
    assert.equal(merged.entry("/etc/conf")?.content?.text, "new");
  });

  it("a file replacing a directory removes the directory's contents", () => {
    const merged = filesystem({ "/app/dist/index.js": "js" }, { "/app/dist": "now a file" });
    assert.equal(merged.entry("/app/dist")?.type, "file");
    assert.equal(merged.entry("/app/dist/index.js"), undefined);
    assert.equal(merged.size, 2);
  });

  it("resolves symlinks inside the image: absolute, relative, in the middle of a path, .. at the root", () => {
    const merged = filesystem({
      "/usr/bin/dash": "elf",
      "/usr/bin/sh": { link: "dash" },
      "/bin": { link: "usr/bin" },
      "/usr/local/bin/node": { link: "/opt/node/bin/node" },
      "/opt/node/bin/node": "node",
      "/app/up": { link: "../../../../usr/bin/dash" },
    });
    assert.equal(merged.resolve("/bin/sh")?.path, "/usr/bin/dash");
    assert.equal(merged.resolve("/usr/local/bin/node")?.path, "/opt/node/bin/node");
    assert.equal(merged.resolve("/app/up")?.path, "/usr/bin/dash", ".. stops at the image root");
    assert.equal(merged.resolve("/bin/sh", false)?.path, "/usr/bin/sh", "the last link can be kept");
    assert.equal(merged.resolve("/bin/sh", false)?.node.type, "symlink");
  });

  it("fails to resolve missing paths, loops, and files used as directories", () => {
    const merged = filesystem({ "/a": { link: "b" }, "/b": { link: "a" }, "/file": "x", "/dangling": { link: "/nowhere" } });
    assert.equal(merged.resolve("/a"), undefined);
    assert.equal(merged.resolve("/file/child"), undefined);
    assert.equal(merged.resolve("/dangling"), undefined);
    assert.equal(merged.resolve("/dangling", false)?.node.type, "symlink");
    assert.equal(merged.resolve("/missing"), undefined);
  });

  it("a hard link is the file it links to", () => {
    const merged = mergeLayers([[...layer({ "/usr/bin/perl5.36": "perl" }), { path: "/usr/bin/perl", type: "hardlink", size: 0, mode: 0o755, linkTarget: "/usr/bin/perl5.36" }]]);
    assert.equal(merged.entry("/usr/bin/perl")?.type, "file");
    assert.equal(merged.entry("/usr/bin/perl")?.content?.text, "perl");
  });

  it("walks a directory depth first without following links", () => {
    const merged = filesystem({ "/app/b/c.txt": "c", "/app/a.txt": "a", "/app/link": { link: "/etc" }, "/etc/passwd": "p" });
    assert.deepEqual([...merged.walk("/app")].map((node) => node.path), ["/app/a.txt", "/app/b", "/app/b/c.txt", "/app/link"]);
  });

  it("normalises paths", () => {
    assert.equal(absolutePath("./usr//bin/"), "/usr/bin");
    assert.equal(absolutePath("."), "/");
    assert.equal(joinPath("/app/", "./dist/x.js"), "/app/dist/x.js");
    assert.equal(joinPath("/app", "/abs"), "/abs");
    assert.ok(isWithin("/app/x", "/app") && isWithin("/app", "/app") && !isWithin("/apple", "/app") && isWithin("/x", "/"));
  });
});
