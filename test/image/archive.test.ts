import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { gunzip, ImageArchiveError, readImageArchive, type ImageArchiveContents } from "../../src/image/archive.ts";
import { archiveFileStream } from "../../src/image/layers.ts";
import { readTar } from "../../src/image/tar.ts";
import { dockerArchive, fileOf, ociLayout, type TestImage } from "../helpers/image-archive.ts";
import { chunked, gzipBytes, tarBytes } from "../helpers/tar-writer.ts";

const longPath = `usr/share/${"very-long-directory-name/".repeat(6)}file.txt`;

function image(gzipLayers: boolean): TestImage {
  return {
    tag: "example/app:1",
    layers: [
      { createdBy: "/bin/sh -c #(nop) ADD file:base in / ", entries: [{ path: "etc", type: "directory" }, fileOf("etc/os-release", 120), fileOf(longPath, 33)], gzip: gzipLayers },
      { createdBy: "RUN /bin/sh -c make # buildkit", entries: [fileOf("tmp/build.o", 4000), { path: "usr/bin/app", content: "binary" }], gzip: gzipLayers, tarOptions: { longNames: "gnu" } },
      { createdBy: "RUN /bin/sh -c rm /tmp/build.o # buildkit", entries: [{ path: "tmp/.wh.build.o", content: "" }, { path: "etc/.wh..wh..opq", content: "" }], gzip: gzipLayers },
    ],
    emptyHistory: [{ beforeLayer: 1, createdBy: "ENV A=1" }, { beforeLayer: 3, createdBy: 'CMD ["app"]' }],
  };
}

function paths(contents: ImageArchiveContents): string[][] {
  return contents.layers.map((layer) => layer.files.map((file) => `${file.type}:${file.path}:${file.size}`));
}

const expectedPaths = [
  ["directory:etc:0", "file:etc/os-release:120", `file:${longPath}:33`],
  ["file:tmp/build.o:4000", "file:usr/bin/app:6"],
  ["file:tmp/.wh.build.o:0", "file:etc/.wh..wh..opq:0"],
];

describe("readImageArchive: docker-archive", () => {
  for (const metadata of ["first", "last"] as const) {
    for (const gzipLayers of [false, true]) {
      it(`reads layers in manifest order with metadata ${metadata}, ${gzipLayers ? "gzip" : "plain"} layers`, async () => {
        const archive = dockerArchive(image(gzipLayers), { metadata });
        const contents = await readImageArchive(chunked(archive, 333));
        assert.equal(contents.format, "docker-archive");
        assert.equal(contents.reference, "example/app:1");
        assert.deepEqual(paths(contents), expectedPaths);
        assert.deepEqual(
          contents.layers.map((layer) => layer.compression),
          [0, 1, 2].map(() => (gzipLayers ? "gzip" : "none")),
        );
        assert.deepEqual(
          contents.history.map((entry) => [entry.createdBy, entry.emptyLayer]),
          [
            ["/bin/sh -c #(nop) ADD file:base in / ", false],
            ["ENV A=1", true],
            ["RUN /bin/sh -c make # buildkit", false],
            ["RUN /bin/sh -c rm /tmp/build.o # buildkit", false],
            ['CMD ["app"]', true],
          ],
        );
        assert.equal(contents.archiveBytes >= archive.length - 1024, true);
      });
    }
  }

  it("reads a whole archive that is gzip-compressed (docker save | gzip)", async () => {
    const contents = await readImageArchive(chunked(gzipBytes(dockerArchive(image(false))), 4096));
    assert.deepEqual(paths(contents), expectedPaths);
  });

  it("refuses a gzip archive missing its trailer (CRC and length) as truncated", async () => {
    const whole = gzipBytes(dockerArchive(image(false)));
    await assert.rejects(readImageArchive(chunked(whole.subarray(0, whole.length - 8), 4096)), /archive is truncated/);
    // The tar reader stops at the end-of-archive blocks; the trailer is still checked.
    const layer = gzipBytes(tarBytes([fileOf("a", 100), fileOf("b", 5000)]));
    const readAll = async (bytes: Buffer): Promise<string[]> => {
      const names: string[] = [];
      for await (const { entry } of readTar(gunzip(chunked(bytes, 512)))) names.push(entry.path);
      return names;
    };
    assert.deepEqual(await readAll(layer), ["a", "b"]);
    await assert.rejects(readAll(layer.subarray(0, layer.length - 8)), /archive is truncated/);
    await assert.rejects(readAll(layer.subarray(0, layer.length - 3)), /archive is truncated/);
  });

  it("follows a layer.tar that docker save stored as a symlink to an identical layer", async () => {
    const twice: TestImage = {
      layers: [
        { createdBy: "COPY a /", entries: [fileOf("a", 10)] },
        { createdBy: "RUN x", entries: [fileOf("b", 20)] },
        { createdBy: "COPY a /", entries: [fileOf("a", 10)] },
      ],
    };
    const contents = await readImageArchive(chunked(dockerArchive(twice, { symlinkLayers: { 2: 0 } }), 1000));
    assert.deepEqual(paths(contents), [["file:a:10"], ["file:b:20"], ["file:a:10"]]);
    assert.match(contents.layers[2]?.archivePath ?? "", /\/layer\.tar$/);
    assert.notEqual(contents.layers[2]?.archivePath, contents.layers[0]?.archivePath);
  });

  it("reads an outer archive written with PAX long names", async () => {
    const contents = await readImageArchive(chunked(dockerArchive(image(false), { tarOptions: { longNames: "pax" } }), 512));
    assert.deepEqual(paths(contents), expectedPaths);
  });
});

describe("readImageArchive: OCI layout", () => {
  for (const options of [{}, { nestedIndex: true }, { indexFirst: true, nestedIndex: true }]) {
    it(`reads gzip and plain layers through index.json ${JSON.stringify(options)}`, async () => {
      const test = image(true);
      const plainMiddle: TestImage = { ...test, layers: test.layers.map((layer, index) => ({ ...layer, gzip: index !== 1 })) };
      const contents = await readImageArchive(chunked(ociLayout(plainMiddle, options), 700));
      assert.equal(contents.format, "oci-layout");
      assert.deepEqual(paths(contents), expectedPaths);
      assert.deepEqual(
        contents.layers.map((layer) => layer.compression),
        ["gzip", "none", "gzip"],
      );
      assert.match(contents.layers[0]?.archivePath ?? "", /^blobs\/sha256\/[0-9a-f]{64}$/);
      assert.equal(contents.history.filter((entry) => !entry.emptyLayer).length, 3);
      assert.equal(contents.reference, "example/app:1");
    });
  }
});

describe("readImageArchive: what it refuses", () => {
  it("says what is missing when a tar is not an image archive", async () => {
    await assert.rejects(readImageArchive(chunked(tarBytes([{ path: "hello.txt", content: "hi" }]), 100)), /neither manifest\.json .* nor index\.json/);
    await assert.rejects(readImageArchive(chunked(Buffer.from("definitely not a tar archive".repeat(40)), 100)), ImageArchiveError);
    await assert.rejects(readImageArchive(chunked(new Uint8Array(0), 1)), /empty/);
  });

  it("names a layer the manifest lists but the archive does not hold", async () => {
    const manifest = JSON.stringify([{ Config: "c.json", RepoTags: null, Layers: ["gone/layer.tar"] }]);
    const archive = tarBytes([
      { path: "c.json", content: JSON.stringify({ history: [] }) },
      { path: "manifest.json", content: manifest },
    ]);
    await assert.rejects(readImageArchive(chunked(archive, 100)), /gone\/layer\.tar is missing/);
  });

  it("validates manifest.json at the boundary", async () => {
    const archive = tarBytes([{ path: "manifest.json", content: JSON.stringify({ Config: 1 }) }]);
    await assert.rejects(readImageArchive(chunked(archive, 100)), /manifest\.json has an unexpected shape/);
  });

  it("reports a damaged layer only when the manifest needs it", async () => {
    const good = dockerArchive(image(false));
    // A gzip header followed by garbage, stored where the manifest does not look.
    const junk = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(600, 7)]);
    const withJunk = tarBytes([{ path: "stray.tar.gz", content: junk }]);
    const combined = Buffer.concat([withJunk.subarray(0, withJunk.length - 1024), good]);
    const contents = await readImageArchive(chunked(combined, 256));
    assert.deepEqual(paths(contents), expectedPaths);
  });
});

describe("readImageArchive: a file read by offset (bodies skipped, not read)", () => {
  /** A skippable source over bytes in memory that records how many bytes it produced and skipped. */
  function skippable(bytes: Uint8Array, chunkSize: number): AsyncIterable<Uint8Array> & { skip(length: number): Promise<number>; produced: number; skipped: number } {
    let position = 0;
    const source = {
      produced: 0,
      skipped: 0,
      [Symbol.asyncIterator]() {
        return {
          next: async (): Promise<IteratorResult<Uint8Array>> => {
            if (position >= bytes.length) return { done: true, value: undefined };
            const chunk = bytes.subarray(position, Math.min(bytes.length, position + chunkSize));
            position += chunk.length;
            source.produced += chunk.length;
            return { done: false, value: chunk };
          },
        };
      },
      async skip(length: number): Promise<number> {
        const moved = Math.min(length, bytes.length - position);
        position += moved;
        source.skipped += moved;
        return moved;
      },
    };
    return source;
  }

  const bigImage: TestImage = {
    tag: "example/big:1",
    layers: [
      { createdBy: "ADD base", entries: [fileOf("etc/os-release", 120), fileOf("usr/lib/big.so", 3_000_000)] },
      { createdBy: "RUN make", entries: [fileOf("opt/app/data.bin", 2_000_000), fileOf(longPath, 10), { path: "opt/.wh.old", content: "" }], tarOptions: { longNames: "gnu" } },
    ],
  };

  for (const metadata of ["first", "last"] as const) {
    it(`lists the same files as a plain stream and skips the bodies (metadata ${metadata})`, async () => {
      const archive = dockerArchive(bigImage, { metadata });
      const streamed = await readImageArchive(chunked(archive, 4096));
      const source = skippable(archive, 4096);
      const skipping = await readImageArchive(source);
      assert.deepEqual(paths(skipping), paths(streamed));
      assert.deepEqual(skipping.history, streamed.history);
      // The reader stops at the end-of-archive blocks (a plain stream counts its whole last chunk).
      assert.ok(skipping.archiveBytes >= archive.length - 1024 && skipping.archiveBytes <= archive.length);
      assert.equal(source.produced + source.skipped, skipping.archiveBytes);
      // The 5 MB of file bodies are skipped; headers, JSON and padding are read.
      assert.ok(source.skipped > 4_900_000, `skipped ${source.skipped}`);
      assert.ok(source.produced < 200_000, `read ${source.produced}`);
    });
  }

  it("still says a file-backed archive is truncated when a body is cut short", async () => {
    const archive = dockerArchive(bigImage, { metadata: "first" });
    await assert.rejects(readImageArchive(skippable(archive.subarray(0, 2_000_000), 4096)), (error: unknown) => error instanceof ImageArchiveError && /ends inside|missing/.test((error as Error).message));
  });

  it("analyses an archive file through archiveFileStream like the file's bytes streamed", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-archive-file-"));
    try {
      const archive = dockerArchive(bigImage, { metadata: "last" });
      const file = path.join(dir, "image.tar");
      fs.writeFileSync(file, archive);
      const fromFile = await readImageArchive(archiveFileStream(file));
      const streamed = await readImageArchive(chunked(archive, 65536));
      assert.deepEqual(paths(fromFile), paths(streamed));
      assert.ok(fromFile.archiveBytes >= archive.length - 1024 && fromFile.archiveBytes <= archive.length);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
