// The tar writer, checked against the system's tar (GNU tar): names (long and non-ASCII ones
// through PAX headers), sizes, modes, mtimes, symlinks, and contents streamed from disk.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createTarStream, tarHeader } from "../../src/engine/context-tar.ts";
import type { TarEntry } from "../../src/engine/context-tar.ts";

let scratch = "";
before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-tar-test-"));
});
after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function writeTar(entries: TarEntry[], file: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of createTarStream(entries)) chunks.push(chunk as Buffer);
  const archive = Buffer.concat(chunks);
  fs.writeFileSync(file, archive);
  return archive;
}

const longDir = "d".repeat(60);
const longName = `${longDir}/${"f".repeat(120)}.txt`; // 185 bytes: beyond ustar's 100
const unicodeName = "données/ünïcødé-名前.txt";
const longTarget = `../${"t".repeat(150)}`;
const mtime = Date.UTC(2024, 0, 2, 3, 4, 5);

describe("tar writer", () => {
  it("round-trips names, long names, sizes, modes, mtimes and symlinks through the system tar", async () => {
    const big = path.join(scratch, "big.bin");
    const bigContent = Buffer.alloc(3 * 1024 * 1024 + 123);
    for (let index = 0; index < bigContent.length; index++) bigContent[index] = (index * 7919) % 251;
    fs.writeFileSync(big, bigContent);
    const entries: TarEntry[] = [
      { name: "bin", type: "directory", mode: 0o750, mtimeMs: mtime },
      { name: "bin/run.sh", type: "file", mode: 0o755, mtimeMs: mtime, content: Buffer.from("#!/bin/sh\necho hi\n") },
      { name: "empty.txt", type: "file", mode: 0o600, mtimeMs: mtime, content: Buffer.alloc(0) },
      { name: "exact-512.bin", type: "file", mode: 0o644, mtimeMs: mtime, content: Buffer.alloc(512, 1) },
      { name: "big.bin", type: "file", mode: 0o644, mtimeMs: mtime, size: bigContent.length, sourcePath: big },
      { name: longDir, type: "directory", mode: 0o755, mtimeMs: mtime },
      { name: longName, type: "file", mode: 0o644, mtimeMs: mtime, content: Buffer.from("long\n") },
      { name: "données", type: "directory", mode: 0o755, mtimeMs: mtime },
      { name: unicodeName, type: "file", mode: 0o644, mtimeMs: mtime, content: Buffer.from("unicode\n") },
      { name: "link", type: "symlink", mode: 0o777, mtimeMs: mtime, linkname: "bin/run.sh" },
      { name: "long-link", type: "symlink", mode: 0o777, mtimeMs: mtime, linkname: longTarget },
    ];
    const file = path.join(scratch, "roundtrip.tar");
    const archive = await writeTar(entries, file);
    assert.equal(archive.length % 512, 0);
    assert.ok(archive.subarray(-1024).every((byte) => byte === 0), "ends with two zero blocks");

    const listing = execFileSync("tar", ["--numeric-owner", "--utc", "-tvf", file], { encoding: "utf8" }).trim().split("\n");
    const byName = new Map(listing.map((line) => [line.replace(/^.*? \d{2}:\d{2} /, "").replace(/ -> .*$/, "").replace(/\/$/, ""), line]));
    assert.deepEqual([...byName.keys()], entries.map((entry) => entry.name));
    assert.match(byName.get("bin") ?? "", /^drwxr-x--- 0\/0 +0 2024-01-02 03:04 bin\/$/);
    assert.match(byName.get("bin/run.sh") ?? "", /^-rwxr-xr-x 0\/0 +18 2024-01-02 03:04 /);
    assert.match(byName.get("empty.txt") ?? "", /^-rw------- 0\/0 +0 /);
    assert.match(byName.get("big.bin") ?? "", new RegExp(`^-rw-r--r-- 0/0 +${bigContent.length} `));
    assert.match(byName.get(longName) ?? "", / 5 2024-01-02 /);
    assert.match(byName.get("link") ?? "", /^lrwxrwxrwx 0\/0 .* link -> bin\/run\.sh$/);
    assert.ok((byName.get("long-link") ?? "").endsWith(`long-link -> ${longTarget}`));

    const out = path.join(scratch, "extracted");
    fs.mkdirSync(out);
    execFileSync("tar", ["-xf", file, "-C", out]);
    assert.equal(fs.readFileSync(path.join(out, "bin/run.sh"), "utf8"), "#!/bin/sh\necho hi\n");
    assert.equal(fs.statSync(path.join(out, "bin/run.sh")).mode & 0o7777, 0o755);
    assert.equal(fs.statSync(path.join(out, "bin/run.sh")).mtimeMs, mtime);
    assert.equal(createHash("sha256").update(fs.readFileSync(path.join(out, "big.bin"))).digest("hex"), createHash("sha256").update(bigContent).digest("hex"));
    assert.equal(fs.readFileSync(path.join(out, longName), "utf8"), "long\n");
    assert.equal(fs.readFileSync(path.join(out, unicodeName), "utf8"), "unicode\n");
    assert.equal(fs.statSync(path.join(out, "exact-512.bin")).size, 512);
    assert.equal(fs.readlinkSync(path.join(out, "link")), "bin/run.sh");
    assert.equal(fs.readlinkSync(path.join(out, "long-link")), longTarget);
    assert.equal(fs.statSync(path.join(out, "empty.txt")).size, 0);
  });

  it("writes valid ustar headers: magic, checksum, owner 0:0", () => {
    const header = tarHeader({ name: "a/b.txt", type: "file", mode: 0o100644, mtimeMs: mtime, size: 3 });
    assert.equal(header.length, 512);
    assert.equal(header.toString("latin1", 257, 263), "ustar\0");
    assert.equal(header.toString("latin1", 263, 265), "00");
    assert.equal(header.toString("latin1", 100, 107), "0000644", "file type bits are not part of the mode field");
    assert.equal(header.toString("latin1", 108, 115), "0000000");
    assert.equal(header.toString("latin1", 116, 123), "0000000");
    const stored = Number.parseInt(header.toString("latin1", 148, 154), 8);
    const copy = Buffer.from(header);
    copy.fill(0x20, 148, 156);
    assert.equal(stored, copy.reduce((sum, byte) => sum + byte, 0));
  });

  it("uses a PAX record for sizes beyond ustar's 8 GiB", () => {
    const size = 10 * 1024 ** 3;
    const header = tarHeader({ name: "huge.img", type: "file", mode: 0o644, mtimeMs: mtime, size });
    assert.equal(header.length, 512 * 3, "PAX header, its data block, then the entry's header");
    assert.equal(header.toString("latin1", 156, 157), "x");
    const record = header.toString("utf8", 512, 1024).replace(/(?<!\0)\0+$/, "");
    assert.equal(record, `20 size=${size}\n`);
    assert.equal(Buffer.byteLength(record), Number(record.split(" ")[0]), "the record's length counts itself");
    assert.equal(header.toString("latin1", 1024 + 124, 1024 + 135), "00000000000");
  });

  it("fails instead of sending a file that shrank while it was read", async () => {
    const source = path.join(scratch, "shrinks.txt");
    fs.writeFileSync(source, "short");
    const stream = createTarStream([{ name: "shrinks.txt", type: "file", mode: 0o644, mtimeMs: mtime, size: 100, sourcePath: source }]);
    await assert.rejects(async () => {
      for await (const _chunk of stream) {
        // drain
      }
    }, /shrank/);
  });
});
