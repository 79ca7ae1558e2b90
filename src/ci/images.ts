// A build target as the CI sees it: paths relative to the repository root, the Dockerfile's named
// stages and cache mounts. Pure: the target and its Dockerfile text in.
import path from "node:path";
import type { BuildTarget } from "../builds/targets.ts";
import { imageTagFor } from "../builds/targets.ts";
import { isRun } from "../dockerfile/model.ts";
import { parseDockerfile } from "../dockerfile/parse.ts";
import type { CiImage } from "./plan.ts";

export function ciImageOf(target: BuildTarget, dockerfileText: string, root: string, repositoryName: string): CiImage {
  const context = path.relative(root, target.contextDir).split(path.sep).join("/") || ".";
  const model = parseDockerfile(dockerfileText, target.dockerfile);
  const stages = model.stages.flatMap((stage) => (stage.name === undefined ? [] : [stage.name]));
  const cacheMounts = new Map<string, string>();
  for (const instruction of model.instructions) {
    if (!isRun(instruction)) continue;
    for (const mount of instruction.mounts) {
      if (mount.type !== "cache" || mount.target === undefined) continue;
      cacheMounts.set(mount.id ?? mount.target, mount.target);
    }
  }
  const image: CiImage = {
    name: target.name,
    context,
    dockerfile: target.dockerfile.split(path.sep).join("/"),
    stages,
    stageCount: model.stages.length,
    cacheMounts: [...cacheMounts].map(([id, mountTarget]) => ({ id, target: mountTarget })),
    historyImage: imageTagFor(repositoryName, target.name),
  };
  if (target.target !== undefined) image.target = target.target;
  return image;
}
