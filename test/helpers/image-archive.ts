// Builds small image archives in memory, without a daemon: `docker save` style (docker-archive)
// and OCI image layouts, with the entry order, layer compression and links under the test's control.
import { createHash } from "node:crypto";
import { gzipBytes, tarBytes, type TarInputEntry, type TarWriteOptions } from "./tar-writer.ts";

export interface TestLayer {
  entries: TarInputEntry[];
  createdBy: string;
  gzip?: boolean;
  tarOptions?: TarWriteOptions;
}

export interface TestImage {
  layers: TestLayer[];
  /** History entries without a layer (ENV, CMD, ...), inserted before the layer with this index. */
  emptyHistory?: { beforeLayer: number; createdBy: string }[];
  tag?: string;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function configJson(image: TestImage): string {
  const history: { created_by: string; empty_layer?: boolean }[] = [];
  image.layers.forEach((layer, index) => {
    for (const empty of image.emptyHistory ?? []) if (empty.beforeLayer === index) history.push({ created_by: empty.createdBy, empty_layer: true });
    history.push({ created_by: layer.createdBy });
  });
  for (const empty of image.emptyHistory ?? []) if (empty.beforeLayer >= image.layers.length) history.push({ created_by: empty.createdBy, empty_layer: true });
  return JSON.stringify({ architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [] }, history });
}

function layerBlob(layer: TestLayer): Buffer {
  const tar = tarBytes(layer.entries, layer.tarOptions);
  return layer.gzip === true ? gzipBytes(tar) : tar;
}

export interface DockerArchiveOptions {
  /** Where manifest.json and the config go: before the layers or after them (docker save varies). */
  metadata?: "first" | "last";
  /** Layers (by index) stored as a symlink to the blob of another layer. */
  symlinkLayers?: Record<number, number>;
  tarOptions?: TarWriteOptions;
}

/** A `docker save` archive: <hex>.json config, <id>/layer.tar per layer, manifest.json, repositories. */
export function dockerArchive(image: TestImage, options: DockerArchiveOptions = {}): Buffer {
  const config = configJson(image);
  const configName = `${sha256(Buffer.from(config))}.json`;
  const layerEntries: TarInputEntry[] = [];
  const layerPaths: string[] = [];
  image.layers.forEach((layer, index) => {
    const id = sha256(Buffer.from(`layer-${index}`));
    const path = `${id}/layer.tar`;
    layerPaths.push(path);
    layerEntries.push({ path: id, type: "directory" });
    layerEntries.push({ path: `${id}/VERSION`, content: "1.0" });
    layerEntries.push({ path: `${id}/json`, content: JSON.stringify({ id }) });
    const linkTo = options.symlinkLayers?.[index];
    if (linkTo !== undefined) {
      const targetId = sha256(Buffer.from(`layer-${linkTo}`));
      layerEntries.push({ path, type: "symlink", linkTarget: `../${targetId}/layer.tar` });
    } else {
      layerEntries.push({ path, content: layerBlob(layer) });
    }
  });
  const manifest = JSON.stringify([{ Config: configName, RepoTags: [image.tag ?? "test/image:latest"], Layers: layerPaths }]);
  const metadata: TarInputEntry[] = [
    { path: configName, content: config },
    { path: "manifest.json", content: manifest },
    { path: "repositories", content: "{}" },
  ];
  const entries = options.metadata === "first" ? [...metadata, ...layerEntries] : [...layerEntries, ...metadata];
  return tarBytes(entries, options.tarOptions);
}

export interface OciLayoutOptions {
  /** Wrap the image manifest in a nested index with an attestation manifest next to it. */
  nestedIndex?: boolean;
  /** Put index.json before the blobs (default after). */
  indexFirst?: boolean;
}

/** An OCI image layout: oci-layout, index.json, blobs/sha256/<hex> for manifest, config and layers. */
export function ociLayout(image: TestImage, options: OciLayoutOptions = {}): Buffer {
  const blobs: TarInputEntry[] = [];
  const addBlob = (bytes: Uint8Array): { digest: string; size: number } => {
    const hex = sha256(bytes);
    blobs.push({ path: `blobs/sha256/${hex}`, content: bytes });
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const layers = image.layers.map((layer) => ({
    mediaType: layer.gzip === true ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.oci.image.layer.v1.tar",
    ...addBlob(layerBlob(layer)),
  }));
  const config = { mediaType: "application/vnd.oci.image.config.v1+json", ...addBlob(Buffer.from(configJson(image))) };
  const manifest = { mediaType: "application/vnd.oci.image.manifest.v1+json", ...addBlob(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config, layers }))) };
  let top: object = { ...manifest, annotations: { "org.opencontainers.image.ref.name": image.tag ?? "latest" } };
  if (options.nestedIndex === true) {
    const attestation = { mediaType: "application/vnd.oci.image.manifest.v1+json", ...addBlob(Buffer.from(JSON.stringify({ schemaVersion: 2, config, layers: [] }))) };
    const nested = addBlob(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: "application/vnd.oci.image.index.v1+json",
          manifests: [
            { ...attestation, platform: { os: "unknown", architecture: "unknown" }, annotations: { "vnd.docker.reference.type": "attestation-manifest" } },
            { ...manifest, platform: { os: "linux", architecture: "amd64" } },
          ],
        }),
      ),
    );
    top = { mediaType: "application/vnd.oci.image.index.v1+json", ...nested, annotations: { "io.containerd.image.name": image.tag ?? "test/oci:latest" } };
  }
  const index: TarInputEntry = { path: "index.json", content: JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [top] }) };
  const layout: TarInputEntry = { path: "oci-layout", content: JSON.stringify({ imageLayoutVersion: "1.0.0" }) };
  const directories: TarInputEntry[] = [
    { path: "blobs", type: "directory" },
    { path: "blobs/sha256", type: "directory" },
  ];
  return tarBytes(options.indexFirst === true ? [layout, index, ...directories, ...blobs] : [layout, ...directories, ...blobs, index]);
}

/** A file entry of `size` bytes (deterministic content). */
export function fileOf(path: string, size: number): TarInputEntry {
  return { path, content: Buffer.alloc(size, path.length % 251) };
}
