import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { looksLikeTar, normalizeTarPath, readTar, TarFormatError, type TarEntry } from "../../src/image/tar.ts";
import { chunked, tarBytes, type TarInputEntry } from "../helpers/tar-writer.ts";

interface Listed extends TarEntry {
  content?: string;
}

/** Lists a tar; reads the bodies of the paths in `read` (as text). */
async function list(bytes: Uint8Array, chunkSize = 4096, read: (entry: TarEntry) => boolean = () => true): Promise<Listed[]> {
  const out: Listed[] = [];
  for await (const { entry, body } of readTar(chunked(bytes, chunkSize))) {
    const listed: Listed = { ...entry };
    if (read(entry)) {
      const parts: Buffer[] = [];
      for await (const chunk of body) parts.push(Buffer.from(chunk));
      listed.content = Buffer.concat(parts).toString("utf8");
    }
    out.push(listed);
  }
  return out;
}

const longDirectory = "d".repeat(120);
const longFile = `${longDirectory}/${"f".repeat(130)}.txt`;
const sample: TarInputEntry[] = [
  { path: "./etc/", type: "directory" },
  { path: "./etc/hostname", content: "box\n" },
  { path: "/usr/bin/tool", content: "x".repeat(1500), mode: 0o755 },
  { path: "usr/bin/alias", type: "symlink", linkTarget: "tool" },
  { path: "usr/bin/hard", type: "hardlink", linkTarget: "./usr/bin/tool" },
  { path: longFile, content: "long name body" },
  { path: "usr/lib/link-with-long-target", type: "symlink", linkTarget: `/${longFile}` },
  { path: "empty", content: "" },
];

describe("readTar", () => {
  for (const longNames of ["pax", "gnu"] as const) {
    it(`reads ustar entries, ${longNames} long names and link targets, with normalized paths`, async () => {
      const entries = await list(tarBytes(sample, { longNames }));
      assert.deepEqual(
        entries.map((entry) => [entry.path, entry.type, entry.size, entry.linkTarget]),
        [
          ["etc", "directory", 0, undefined],
          ["etc/hostname", "file", 4, undefined],
          ["usr/bin/tool", "file", 1500, undefined],
          ["usr/bin/alias", "symlink", 0, "tool"],
          ["usr/bin/hard", "hardlink", 0, "usr/bin/tool"],
          [longFile, "file", 14, undefined],
          ["usr/lib/link-with-long-target", "symlink", 0, `/${longFile}`],
          ["empty", "file", 0, undefined],
        ],
      );
      assert.equal(entries[1]?.content, "box\n");
      assert.equal(entries[2]?.content, "x".repeat(1500));
      assert.equal(entries[2]?.mode, 0o755);
      assert.equal(entries[2]?.mtime, 1_700_000_000);
      assert.equal(entries[5]?.content, "long name body");
    });
  }

  it("gives the same entries and bodies whatever the chunk boundaries", async () => {
    const bytes = tarBytes(sample);
    const reference = await list(bytes, bytes.length);
    for (const size of [1, 7, 511, 512, 513, 1000]) assert.deepEqual(await list(bytes, size), reference, `chunk size ${size}`);
  });

  it("skips bodies that are not read, or read only in part", async () => {
    const bytes = tarBytes([
      { path: "a", content: "A".repeat(3000) },
      { path: "b", content: "B".repeat(700) },
      { path: "c", content: "C".repeat(10) },
    ]);
    const seen: string[] = [];
    for await (const { entry, body } of readTar(chunked(bytes, 100))) {
      if (entry.path === "b") {
        for await (const chunk of body) {
          // Read one chunk only: a view of the source chunk (the body starts 4 bytes before a 100-byte boundary).
          seen.push(`b:${Buffer.from(chunk).toString()}`);
          break;
        }
      } else if (entry.path === "c") {
        for await (const chunk of body) seen.push(`c:${Buffer.from(chunk).toString()}`);
      } else {
        seen.push(entry.path);
      }
    }
    assert.deepEqual(seen, ["a", `b:${"B".repeat(4)}`, `c:${"C".repeat(10)}`]);
  });

  it("waits for a body read still in flight (a consumer reading ahead) before moving to the next entry", async () => {
    const bytes = tarBytes([
      { path: "a", content: "A".repeat(3000) },
      { path: "b", content: "B".repeat(10) },
    ]);
    async function* slowly(): AsyncGenerator<Uint8Array> {
      for await (const chunk of chunked(bytes, 100)) {
        await new Promise((resolve) => setImmediate(resolve));
        yield chunk;
      }
    }
    const entries = readTar(slowly());
    const first = await entries.next();
    assert.equal(first.value?.entry.path, "a");
    const body = first.value?.body[Symbol.asyncIterator]();
    const pending = body?.next(); // not awaited: still reading when the next entry is asked for
    const second = await entries.next();
    assert.equal(second.value?.entry.path, "b");
    const parts: string[] = [];
    for await (const chunk of second.value?.body ?? []) parts.push(Buffer.from(chunk).toString());
    assert.equal(parts.join(""), "B".repeat(10));
    assert.equal((await pending)?.done, false);
    assert.equal((await entries.next()).done, true);
  });

  it("reads a PAX size larger than the octal field and GNU base-256 numbers", async () => {
    const bytes = tarBytes([{ path: "data", content: "0123456789" }]);
    // Rewrite the size field as base-256 (0x80 marker, big-endian) and fix the checksum.
    const header = bytes.subarray(0, 512);
    header.fill(0, 124, 136);
    header[124] = 0x80;
    header[135] = 10;
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.set(Buffer.from(`${sum.toString(8).padStart(6, "0")}\0 `), 148);
    const [entry] = await list(bytes);
    assert.equal(entry?.size, 10);
    assert.equal(entry?.content, "0123456789");
  });

  it("applies a PAX path record to the next entry only, and a global one to all", async () => {
    const pax = (key: string, value: string): string => {
      const body = ` ${key}=${value}\n`;
      let length = body.length + 2;
      while (String(length).length + body.length !== length) length++;
      return `${length}${body}`;
    };
    const bytes = tarBytes([
      { path: "global", content: pax("mtime", "1234.5") },
      { path: "local", content: pax("path", "renamed/by-pax") + pax("uid", "4242") },
      { path: "first", content: "1" },
      { path: "second", content: "2" },
    ]);
    // Turn the first two into 'g' and 'x' headers.
    const setFlag = (offset: number, flag: string): void => {
      bytes[offset + 156] = flag.charCodeAt(0);
      bytes.fill(0x20, offset + 148, offset + 156);
      let sum = 0;
      for (const byte of bytes.subarray(offset, offset + 512)) sum += byte;
      bytes.set(Buffer.from(`${sum.toString(8).padStart(6, "0")}\0 `), offset + 148);
    };
    setFlag(0, "g");
    setFlag(1024, "x");
    const entries = await list(bytes);
    assert.deepEqual(
      entries.map((entry) => [entry.path, entry.uid, entry.mtime]),
      [
        ["renamed/by-pax", 4242, 1234.5],
        ["second", 0, 1234.5],
      ],
    );
  });

  it("rejects a damaged header and a stream that ends inside a body", async () => {
    const bytes = tarBytes([{ path: "a", content: "hello" }]);
    const damaged = Buffer.from(bytes);
    damaged[0] = "b".charCodeAt(0);
    await assert.rejects(list(damaged), TarFormatError);
    const truncated = tarBytes([{ path: "big", content: "z".repeat(5000) }]).subarray(0, 2048);
    await assert.rejects(list(truncated), /ends inside big/);
  });

  it("ends at the end-of-archive marker and accepts a stream without one", async () => {
    const bytes = tarBytes([{ path: "a", content: "1" }]);
    const withTrailingGarbage = Buffer.concat([bytes, Buffer.from("not a header at all")]);
    assert.deepEqual((await list(withTrailingGarbage)).map((entry) => entry.path), ["a"]);
    const withoutMarker = bytes.subarray(0, 1024);
    assert.deepEqual((await list(withoutMarker)).map((entry) => entry.path), ["a"]);
    assert.deepEqual(await list(new Uint8Array(0)), []);
  });

  it("agrees with the system tar on an archive it wrote (GNU and PAX formats)", async (t) => {
    let tarVersion = "";
    try {
      tarVersion = execFileSync("tar", ["--version"], { encoding: "utf8" });
    } catch {
      t.skip("no system tar");
      return;
    }
    if (!tarVersion.includes("GNU tar")) {
      t.skip("system tar is not GNU tar");
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-tar-"));
    try {
      const source = path.join(dir, "src");
      const deep = path.join(source, "x".repeat(90), "y".repeat(90));
      fs.mkdirSync(deep, { recursive: true });
      fs.writeFileSync(path.join(deep, `${"z".repeat(80)}.bin`), Buffer.alloc(3333, 1));
      fs.writeFileSync(path.join(source, "small"), "s");
      fs.symlinkSync("small", path.join(source, "link"));
      fs.linkSync(path.join(source, "small"), path.join(source, "hard"));
      for (const format of ["gnu", "pax"]) {
        const archive = path.join(dir, `${format}.tar`);
        execFileSync("tar", [`--format=${format}`, "-cf", archive, "-C", source, "."]);
        const ours = (await list(fs.readFileSync(archive), 10_000, () => false)).map((entry) => `${entry.type} ${entry.path} ${entry.size}`).sort();
        const theirs = execFileSync("tar", ["-tvf", archive], { encoding: "utf8" })
          .trim()
          .split("\n")
          .map((line) => {
            const [modes = "", , size = "0"] = line.split(/\s+/);
            const name = line.replace(/^(\S+\s+){5}/, "").replace(/ (->|link to) .*$/, "");
            const type = { d: "directory", l: "symlink", h: "hardlink", "-": "file" }[modes[0] ?? ""] ?? "other";
            return `${type} ${normalizeTarPath(name)} ${type === "file" ? size : 0}`;
          })
          .sort();
        assert.deepEqual(ours, theirs, format);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("normalizeTarPath and looksLikeTar", () => {
  it("normalizes leading ./ and /, empty and . segments, trailing slashes", () => {
    assert.equal(normalizeTarPath("./usr//bin/./ls"), "usr/bin/ls");
    assert.equal(normalizeTarPath("/etc/"), "etc");
    assert.equal(normalizeTarPath("./"), ".");
    assert.equal(normalizeTarPath("a/../b"), "a/../b");
  });

  it("recognizes a tar header and an empty archive, and nothing else", () => {
    assert.equal(looksLikeTar(tarBytes([{ path: "a", content: "1" }]).subarray(0, 512)), true);
    assert.equal(looksLikeTar(new Uint8Array(512)), true);
    assert.equal(looksLikeTar(Buffer.alloc(512, "{")), false);
    assert.equal(looksLikeTar(new Uint8Array(100)), false);
  });
});
