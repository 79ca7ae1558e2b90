import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ImageFilesError, readImageFiles, readLayer, verifyCapturePlan } from "../../src/verify/image-files.ts";
import type { TestImage } from "../helpers/image-archive.ts";
import { dockerArchive } from "../helpers/image-archive.ts";
import { chunked, tarBytes } from "../helpers/tar-writer.ts";
import { buildElf } from "./elf-fixture.ts";

const NODE_ELF = buildElf({ type: 3, interpreter: "/lib64/ld-linux-x86-64.so.2", needed: ["libstdc++.so.6", "libc.so.6"] });

const IMAGE: TestImage = {
  layers: [
    {
      createdBy: "base",
      entries: [
        { path: "etc/", type: "directory" },
        { path: "etc/passwd", content: "root:x:0:0::/root:/bin/sh\n" },
        { path: "etc/ld.so.conf", content: "include /etc/ld.so.conf.d/*.conf\n" },
        { path: "usr/lib/x86_64-linux-gnu/libc.so.6", content: buildElf({ soname: "libc.so.6" }), mode: 0o644 },
        { path: "usr/local/bin/node", content: NODE_ELF, mode: 0o755 },
        { path: "usr/local/bin/npm", type: "symlink", linkTarget: "../lib/node_modules/npm/bin/npm-cli.js" },
        { path: "usr/local/lib/node_modules/npm/bin/npm-cli.js", content: "#!/usr/bin/env node\nrequire('../lib/cli.js')\n", mode: 0o755 },
        { path: "usr/share/doc/big.txt", content: "x".repeat(5000) },
      ],
    },
    {
      createdBy: "app",
      gzip: true,
      entries: [
        { path: "app/package.json", content: '{"name":"app","dependencies":{"ms":"2"}}' },
        { path: "app/node_modules/ms/package.json", content: '{"name":"ms","version":"2.1.3"}' },
        { path: "app/server.js", content: "console.log(1)" },
        { path: "app/old.js", content: "old" },
        { path: "usr/share/doc/.wh.big.txt", content: "" },
      ],
    },
    { createdBy: "cleanup", entries: [{ path: "app/.wh.old.js", content: "" }] },
  ],
};

describe("reading an exported image", () => {
  it("merges the layers of a docker save archive, capturing only what verify reads", async () => {
    for (const metadata of ["first", "last"] as const) {
      const archive = dockerArchive(IMAGE, { metadata });
      const { filesystem, layers } = await readImageFiles(chunked(archive, 700), verifyCapturePlan(["/app"]));
      assert.equal(layers, 3);
      assert.equal(filesystem.entry("/app/old.js"), undefined, "whited out");
      assert.equal(filesystem.entry("/usr/share/doc/big.txt"), undefined, "whited out");
      assert.equal(filesystem.entry("/app/server.js")?.content, undefined, "app sources are not read");
      assert.equal(filesystem.entry("/app/package.json")?.content?.text, '{"name":"app","dependencies":{"ms":"2"}}');
      assert.equal(filesystem.entry("/app/node_modules/ms/package.json")?.content?.text, '{"name":"ms","version":"2.1.3"}');
      assert.equal(filesystem.entry("/etc/passwd")?.content?.text, "root:x:0:0::/root:/bin/sh\n");
      const node = filesystem.entry("/usr/local/bin/node");
      assert.deepEqual(node?.content?.elf?.needed, ["libstdc++.so.6", "libc.so.6"]);
      assert.equal(node?.mode, 0o755);
      assert.equal(filesystem.entry("/usr/lib/x86_64-linux-gnu/libc.so.6")?.content?.elf?.soname, "libc.so.6", "shared objects are read by name even without an exec bit");
      assert.deepEqual(filesystem.resolve("/usr/local/bin/npm")?.node.content?.shebang, { interpreter: "/usr/bin/env", argument: "node" });
    }
  });

  it("reads layers split into tiny chunks (headers straddling chunk boundaries)", async () => {
    const layer = tarBytes([
      { path: "bin/tool", content: NODE_ELF, mode: 0o755 },
      { path: "bin/script", content: "#!/bin/sh\necho\n", mode: 0o755 },
      { path: "bin/data", content: "plain", mode: 0o755 },
    ]);
    const nodes = await readLayer(chunked(layer, 3), verifyCapturePlan([]));
    assert.deepEqual(nodes.find((node) => node.path === "/bin/tool")?.content?.elf?.interpreter, "/lib64/ld-linux-x86-64.so.2");
    assert.deepEqual(nodes.find((node) => node.path === "/bin/script")?.content, { shebang: { interpreter: "/bin/sh" } });
    assert.equal(nodes.find((node) => node.path === "/bin/data")?.content, undefined);
  });

  it("keeps a malformed ELF as an error instead of failing the image", async () => {
    const nodes = await readLayer(chunked(tarBytes([{ path: "bin/broken", content: NODE_ELF.subarray(0, 100), mode: 0o755 }]), 64), verifyCapturePlan([]));
    assert.match(nodes[0]?.content?.elfError ?? "", /truncated/);
  });

  it("says what is wrong with an archive that is not an image", async () => {
    await assert.rejects(readImageFiles(chunked(tarBytes([{ path: "hello.txt", content: "hi" }]), 512), verifyCapturePlan([])), (error: unknown) => error instanceof ImageFilesError && /manifest\.json is missing/.test(error.message));
  });
});
