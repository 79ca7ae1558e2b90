import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import { ciThresholdsFrom } from "../../src/cli/layers-command.ts";
import { loadSqlite, openMetricsDatabase, queryMeasurements } from "../../src/metrics/store.ts";
import { dockerArchive, fileOf, ociLayout, type TestImage } from "../helpers/image-archive.ts";
import { gzipBytes } from "../helpers/tar-writer.ts";

async function run(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd, env, isTTY: false });
  return { code, stdout, stderr };
}

// 1 MB base, a layer that adds a 400 kB file and rewrites a base file, a layer that deletes both.
const image: TestImage = {
  tag: "cli/test:1",
  layers: [
    { createdBy: "/bin/sh -c #(nop) ADD file:base in / ", entries: [{ path: "etc", type: "directory" }, fileOf("etc/config", 100_000), fileOf("usr/lib/base.so", 900_000)] },
    { createdBy: "RUN /bin/sh -c download # buildkit", entries: [fileOf("tmp/archive.tgz", 400_000), fileOf("etc/config", 150_000)], gzip: true },
    { createdBy: "RUN /bin/sh -c rm -f /tmp/archive.tgz # buildkit", entries: [{ path: "tmp/.wh.archive.tgz", content: "" }] },
  ],
};

interface LayersJson {
  reference: string;
  format: string;
  sizeBytes: number;
  wastedBytes: number;
  reclaimableBytes: number;
  efficiency: number;
  userWastedPercent: number | null;
  layers: { instruction: string; added: { files: number; bytes: number }; modified: { files: number }; removed: { files: number; bytes: number } }[];
  topWastedPaths: { path: string; cumulativeBytes: number }[];
  ci?: { passed: boolean; checks: { rule: string; passed: boolean }[] };
}

let dir = "";
let archive = "";

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-layers-"));
  archive = path.join(dir, "image.tar");
  fs.writeFileSync(archive, dockerArchive(image));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("shipshape layers", () => {
  it("analyses a docker save archive: per-layer changes, wasted bytes, dive efficiency (json)", async () => {
    const result = await run(["layers", "image.tar", "--format", "json", "--no-history"], dir);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as LayersJson;
    assert.equal(report.reference, "cli/test:1");
    assert.equal(report.format, "docker-archive");
    assert.deepEqual(
      report.layers.map((layer) => [layer.instruction, layer.added.files, layer.modified.files, layer.removed.files]),
      [
        ["ADD file:base in /", 2, 0, 0],
        ["RUN download", 1, 1, 0],
        ["RUN rm -f /tmp/archive.tgz", 0, 0, 1],
      ],
    );
    assert.equal(report.layers[2]?.removed.bytes, 400_000);
    // dive: etc/config 100k + 150k (both copies), tmp/archive.tgz 400k + 0 for the whiteout.
    assert.equal(report.wastedBytes, 650_000);
    assert.equal(report.efficiency, (100_000 + 0 + 900_000) / (250_000 + 400_000 + 900_000));
    assert.equal(report.userWastedPercent, 650_000 / 550_000);
    // Hidden by later layers: the first etc/config and the deleted archive.
    assert.equal(report.reclaimableBytes, 500_000);
    assert.deepEqual(
      report.topWastedPaths.map((entry) => [entry.path, entry.cumulativeBytes]),
      [
        ["/tmp/archive.tgz", 400_000],
        ["/etc/config", 250_000],
      ],
    );
    assert.equal(report.ci, undefined);
  });

  it("reads a gzip-compressed archive and an OCI layout the same way", async () => {
    fs.writeFileSync(path.join(dir, "image.tar.gz"), gzipBytes(dockerArchive(image)));
    fs.writeFileSync(path.join(dir, "oci.tar"), ociLayout(image));
    const plain = JSON.parse((await run(["layers", "image.tar", "--format", "json", "--no-history"], dir)).stdout) as LayersJson;
    for (const file of ["image.tar.gz", "oci.tar"]) {
      const result = await run(["layers", file, "--format", "json", "--no-history"], dir);
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(result.stdout) as LayersJson;
      assert.equal(report.wastedBytes, plain.wastedBytes, file);
      assert.equal(report.efficiency, plain.efficiency, file);
      assert.deepEqual(report.layers.map((layer) => layer.added), plain.layers.map((layer) => layer.added), file);
    }
  });

  it("--ci exits 1 when a threshold is crossed and 0 when none is, with dive's defaults", async () => {
    const failing = await run(["layers", "image.tar", "--ci", "--format", "json", "--no-history"], dir);
    assert.equal(failing.code, 1);
    const report = JSON.parse(failing.stdout) as LayersJson;
    assert.equal(report.ci?.passed, false);
    assert.deepEqual(
      report.ci?.checks.map((check) => [check.rule, check.passed]),
      [
        ["lowestEfficiency", false],
        ["highestUserWastedPercent", false],
      ],
    );
    const lenient = ["--lowest-efficiency", "0.5", "--highest-wasted-bytes", "1MB", "--highest-user-wasted-percent", "disabled"];
    assert.equal((await run(["layers", "image.tar", "--ci", ...lenient, "--no-history"], dir)).code, 0);
    const tooManyBytes = await run(["layers", "image.tar", "--lowest-efficiency", "0.5", "--highest-wasted-bytes", "600kB", "--highest-user-wasted-percent", "disabled", "--no-history"], dir);
    assert.equal(tooManyBytes.code, 1, "a threshold flag implies --ci");
    assert.match(tooManyBytes.stdout, /FAIL {2}highestWastedBytes/);
    assert.match(tooManyBytes.stdout, /Result: FAIL \(1 of 2 checks failed\)/);
  });

  it("prints a tty table without colour when not a terminal, and Markdown", async () => {
    const tty = await run(["layers", "image.tar", "--no-history"], dir);
    assert.equal(tty.code, 0);
    assert.match(tty.stdout, /^cli\/test:1 {2}\(docker-archive, 3 layers\)/);
    assert.match(tty.stdout, /RUN rm -f \/tmp\/archive\.tgz/);
    assert.match(tty.stdout, /Wasted bytes +650 kB/);
    assert.ok(!tty.stdout.includes("\u001b["));
    const colour = await run(["layers", "image.tar", "--no-history"], dir, { FORCE_COLOR: "1" });
    assert.ok(colour.stdout.includes("\u001b["));
    const markdown = await run(["layers", "image.tar", "--format", "markdown", "--no-history"], dir);
    assert.match(markdown.stdout, /^## Layers of cli\/test:1/);
    assert.match(markdown.stdout, /\| 2 \| 0 B \| - \| - \| -1 \(400 kB\) \| - \| ` RUN rm -f \/tmp\/archive\.tgz ` \|/);
  });

  it("records a layers measurement in the metrics database unless --no-history", async () => {
    const db = path.join(dir, "metrics.db");
    const result = await run(["layers", "image.tar", "--db", db, "--format", "json"], dir);
    assert.equal(result.code, 0, result.stderr);
    const sqlite = await loadSqlite();
    const database = openMetricsDatabase(sqlite, db);
    try {
      const rows = queryMeasurements(database);
      const metrics = Object.fromEntries(rows.map((row) => [row.metric, row.value]));
      assert.deepEqual(
        [...new Set(rows.map((row) => `${row.kind} ${row.image}`))],
        ["layers cli/test:1"],
      );
      assert.equal(metrics.wastedBytes, 650_000);
      assert.equal(metrics.layers, 3);
      assert.equal(metrics.sizeBytes, 1_550_000);
    } finally {
      database.close();
    }
  });

  it("exits 2 on usage errors and unreadable archives", async () => {
    fs.writeFileSync(path.join(dir, "notes.txt"), "not an archive at all\n".repeat(50));
    const cases: [string[], RegExp][] = [
      [["layers"], /takes one IMAGE/],
      [["layers", "missing.tar"], /no such file: missing\.tar/],
      [["layers", "image.tar", "--format", "xml"], /--format must be one of/],
      [["layers", "image.tar", "--lowest-efficiency", "90"], /from 0 to 1/],
      [["layers", "image.tar", "--highest-wasted-bytes", "lots"], /size like 20MB/],
      [["layers", "notes.txt", "--no-history"], /notes\.txt: not a readable image archive/],
      [["layers", ".", "--no-history"], /\. is a directory/],
    ];
    for (const [args, message] of cases) {
      const result = await run(args, dir);
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, message, args.join(" "));
    }
  });
});

describe("ciThresholdsFrom", () => {
  it("is off without --ci or thresholds, starts from dive's defaults, and lets each flag override or disable one", () => {
    assert.equal(ciThresholdsFrom({ ci: false }), undefined);
    assert.deepEqual(ciThresholdsFrom({ ci: true }), { lowestEfficiency: 0.9, highestUserWastedPercent: 0.1 });
    assert.deepEqual(ciThresholdsFrom({ ci: false, highestWastedBytes: "20MB", lowestEfficiency: "off" }), { highestWastedBytes: 20_000_000, highestUserWastedPercent: 0.1 });
  });
});
