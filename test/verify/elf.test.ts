import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { describe, it } from "node:test";
import { ElfFormatError, isElf, parseElf, parseShebang } from "../../src/verify/elf.ts";
import { buildElf } from "./elf-fixture.ts";

/** `readelf -d` and `-l` of a host file: what binutils says the loader will read. */
function readelf(file: string): { interpreter?: string; needed: string[]; runpath: string[] } | undefined {
  try {
    const dynamic = execFileSync("readelf", ["-d", "-W", file], { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } });
    const program = execFileSync("readelf", ["-l", "-W", file], { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } });
    const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((match) => match[1] as string);
    const runpath = [...dynamic.matchAll(/\(RUNPATH\)\s+Library runpath: \[([^\]]+)\]/g)].flatMap((match) => (match[1] as string).split(":"));
    const interpreter = /\[Requesting program interpreter: ([^\]]+)\]/.exec(program)?.[1];
    return interpreter === undefined ? { needed, runpath } : { interpreter, needed, runpath };
  } catch {
    return undefined;
  }
}

describe("ELF parsing", () => {
  it("reads interpreter, needed libraries, soname and search paths (64-bit little-endian)", () => {
    const bytes = buildElf({ interpreter: "/lib64/ld-linux-x86-64.so.2", needed: ["libstdc++.so.6", "libc.so.6"], soname: "libapp.so.1", rpath: "/opt/a:/opt/b", runpath: "$ORIGIN/../lib" });
    assert.deepEqual(parseElf(bytes), {
      bits: 64,
      littleEndian: true,
      machine: "x86_64",
      type: "shared",
      interpreter: "/lib64/ld-linux-x86-64.so.2",
      needed: ["libstdc++.so.6", "libc.so.6"],
      soname: "libapp.so.1",
      rpath: ["/opt/a", "/opt/b"],
      runpath: ["$ORIGIN/../lib"],
    });
  });

  it("reads 32-bit and big-endian files", () => {
    const i386 = parseElf(buildElf({ bits: 32, machine: 3, type: 2, interpreter: "/lib/ld-linux.so.2", needed: ["libm.so.6"] }));
    assert.equal(i386?.bits, 32);
    assert.equal(i386?.machine, "i386");
    assert.equal(i386?.type, "executable");
    assert.deepEqual(i386?.needed, ["libm.so.6"]);
    const bigEndian = parseElf(buildElf({ littleEndian: false, machine: 22, needed: ["libz.so.1"] }));
    assert.equal(bigEndian?.littleEndian, false);
    assert.equal(bigEndian?.machine, "s390");
    assert.deepEqual(bigEndian?.needed, ["libz.so.1"]);
  });

  it("a static binary needs nothing", () => {
    const info = parseElf(buildElf({ static: true, type: 2 }));
    assert.deepEqual(info?.needed, []);
    assert.equal(info?.interpreter, undefined);
  });

  it("returns undefined for non-ELF bytes and throws on truncated ELF", () => {
    assert.equal(parseElf(new TextEncoder().encode("#!/bin/sh\necho hi\n")), undefined);
    assert.equal(isElf(new Uint8Array([0x7f, 0x45])), false);
    const bytes = buildElf({ needed: ["libc.so.6"] });
    assert.throws(() => parseElf(bytes.subarray(0, bytes.length - 20)), ElfFormatError);
    assert.throws(() => parseElf(bytes.subarray(0, 40)), ElfFormatError);
  });

  for (const file of ["/bin/ls", "/usr/bin/env", "/lib/x86_64-linux-gnu/libc.so.6"]) {
    it(`agrees with readelf on the host's ${file}`, (t) => {
      if (!fs.existsSync(file)) return t.skip(`${file} does not exist on this host`);
      const expected = readelf(file);
      if (!expected) return t.skip("readelf (binutils) is not installed");
      const info = parseElf(fs.readFileSync(file));
      assert.ok(info, "parsed as ELF");
      assert.equal(info.interpreter, expected.interpreter);
      assert.deepEqual(info.needed, expected.needed);
      assert.deepEqual(info.runpath, expected.runpath);
      assert.ok(file.includes("libc") ? info.soname === "libc.so.6" : info.needed.includes("libc.so.6"));
    });
  }
});

describe("shebang lines", () => {
  const parse = (text: string) => parseShebang(new TextEncoder().encode(text));
  it("splits the interpreter from its single argument", () => {
    assert.deepEqual(parse("#!/bin/sh\nexit 0\n"), { interpreter: "/bin/sh" });
    assert.deepEqual(parse("#!/usr/bin/env node\n"), { interpreter: "/usr/bin/env", argument: "node" });
    assert.deepEqual(parse("#! /usr/bin/env -S node --no-warnings\r\n"), { interpreter: "/usr/bin/env", argument: "-S node --no-warnings" });
    assert.equal(parse("echo no shebang"), undefined);
    assert.equal(parse("#!\n"), undefined);
  });
});
