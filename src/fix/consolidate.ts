// `shipshape fix --consolidate`: Dockerfiles that duplicated-dockerfiles reports as near copies
// become one Dockerfile with a shared base stage and one stage (target) per service, a
// docker-bake.hcl that builds them all, a Dockerfile-specific .dockerignore for the new context,
// and compose `build:` entries pointing at the new targets. Pure: from a RepositoryView and the
// parsed Dockerfiles to file changes; the CLI prints or writes them. docs/consolidate.md has the
// decisions; the short version:
//
// - Groups: the similarity pairs of duplicated-dockerfiles (same threshold, same measure),
//   joined transitively. Only single-stage Dockerfiles with identical parser directives and
//   identical instructions before FROM take part; anything else is skipped with the reason.
// - Per service, the consolidated target runs the original instructions in the original order.
//   The shared base is the longest common prefix (same FROM, then equal normalised
//   instructions) that does not read the build context: it stops at the first COPY/ADD from the
//   context, RUN with a bind mount of the context, or ONBUILD (whose trigger would fire in every
//   `FROM base`). ARGs in the base are declared again in each target: ARG scope ends with its stage.
// - Context: the new build context is the deepest common ancestor of the services' contexts;
//   sources read from the context get the service's directory as a prefix (`COPY . .` in
//   services/api becomes `COPY services/api/ .`), after cleaning them as BuildKit does (a
//   leading `..` cannot leave the context). Sources with variables, `--parents` and
//   `--exclude` cannot be rewritten safely, so such groups are skipped when a prefix is needed.
// - .dockerignore: `<Dockerfile>.dockerignore` next to the new Dockerfile (BuildKit reads it
//   before the context's .dockerignore) sends only the services' directories and carries each
//   service's patterns scoped to its directory. It is checked with the Docker matcher against
//   every file of every original context: each file is sent exactly when the original build sent
//   it, or the group is skipped.
import path from "node:path";
import { isMap, isScalar, parseDocument } from "yaml";
import type { Node as YamlNode, Pair, YAMLMap } from "yaml";
import type { CopyInstruction, DockerfileModel, Instruction, RunInstruction } from "../dockerfile/model.ts";
import { isCopyOrAdd, isRun } from "../dockerfile/model.ts";
import { parseDockerfile } from "../dockerfile/parse.ts";
import { parseCompose } from "../repo/compose.ts";
import type { ComposeService } from "../repo/compose.ts";
import { compileDockerignore } from "../repo/dockerignore.ts";
import type { RepositoryView } from "../repo/snapshot.ts";
import { MIN_INSTRUCTIONS, SIMILARITY_THRESHOLD } from "../rules/duplicated-dockerfiles.ts";
import { bestMatches, normalizedInstructions, similarity } from "../rules/support/similarity.ts";
import type { TextEdit } from "../rules/types.ts";
import { applyEdits } from "./apply.ts";
import { BAKE_NAME, renderBake } from "./bake.ts";
import { unifiedDiff } from "./diff.ts";
import type { BakeFile, BakeTarget, HclTemplate } from "./bake.ts";

/** One file the consolidation creates (before undefined), changes, or removes (after undefined). */
export interface ConsolidateChange {
  path: string;
  before: string | undefined;
  after: string | undefined;
}

export interface ConsolidatedService {
  /** The original Dockerfile. */
  dockerfile: string;
  /** Its original build context. */
  context: string;
  /** Stage name in the new Dockerfile = bake target name. */
  target: string;
  /** Compose services whose `build:` now names this target. */
  composeServices: { file: string; service: string }[];
}

export interface ConsolidationGroup {
  /** The new Dockerfile. */
  dockerfile: string;
  /** Its build context ("" for the repository root). */
  context: string;
  ignoreFile: string;
  bakeFile: string;
  /** The shared base stage and how many instructions (FROM included) it holds; undefined when the FROMs differ. */
  base: { stage: string; instructions: number } | undefined;
  /** Lowest pairwise similarity in the group (0..1). */
  similarity: number;
  services: ConsolidatedService[];
}

export interface ConsolidatePlan {
  changes: ConsolidateChange[];
  groups: ConsolidationGroup[];
  /** Similar Dockerfiles left alone, and why. */
  skipped: { dockerfiles: string[]; reason: string }[];
}

export interface ConsolidateOptions {
  /** Compose project name when the compose file sets none and lies at the repository root (default: basename of snapshot.root). */
  projectName?: string;
}

const BAKE_FILE_NAMES = ["docker-bake.hcl", "docker-bake.consolidated.hcl"];
const DOCKERFILE_NAMES = ["Dockerfile", "consolidated.Dockerfile"];
const TAG_VARIABLES = ["TAG", "IMAGE_TAG", "SHIPSHAPE_TAG"];

/** The view's Dockerfiles that parse, as the audit parses them. */
export function parseDockerfiles(view: RepositoryView): Map<string, DockerfileModel> {
  const models = new Map<string, DockerfileModel>();
  for (const file of view.dockerfiles) {
    const text = view.snapshot.texts.get(file);
    if (text === undefined) continue;
    try {
      models.set(file, parseDockerfile(text, file));
    } catch {
      // The audit reports the parse error; an unparsable file is no consolidation candidate.
    }
  }
  return models;
}

interface ComposeReference {
  file: string;
  service: ComposeService;
}

interface Member {
  path: string;
  model: DockerfileModel;
  normalized: string[];
  /** Original context root. */
  root: string;
  /** root relative to the new context ("" when equal). */
  prefix: string;
  target: string;
  compose: ComposeReference[];
}

/** Files and texts as the plan goes: later groups see what earlier groups claimed. */
interface Workspace {
  texts: Map<string, string>;
  existing: Set<string>;
  claimed: Set<string>;
  removed: Set<string>;
  bakes: Map<string, { file: BakeFile; sources: string[] }>;
  targetNames: Map<string, Set<string>>;
}

export function planConsolidation(view: RepositoryView, models: ReadonlyMap<string, DockerfileModel>, options: ConsolidateOptions = {}): ConsolidatePlan {
  const sequences = new Map<string, string[]>();
  for (const file of view.dockerfiles) {
    const model = models.get(file);
    if (model && !view.errors.has(file)) sequences.set(file, normalizedInstructions(model));
  }
  const matches = bestMatches(sequences, SIMILARITY_THRESHOLD, MIN_INSTRUCTIONS);
  const groups = connectedGroups([...matches].map(([file, match]) => [file, match.other]));

  const workspace: Workspace = {
    texts: new Map(view.snapshot.texts),
    existing: new Set(view.snapshot.files.map((file) => file.path)),
    claimed: new Set(),
    removed: new Set(),
    bakes: new Map(),
    targetNames: new Map(),
  };
  const references = composeReferences(view);
  const plan: ConsolidatePlan = { changes: [], groups: [], skipped: [] };
  if (view.snapshot.truncated !== undefined) {
    // Without every file, the combined .dockerignore cannot be checked against the original contexts.
    plan.skipped.push(...groups.map((files) => ({ dockerfiles: files, reason: `the scan was cut short (${view.snapshot.truncated})` })));
    return plan;
  }
  for (const files of groups) {
    const outcome = planGroup(view, models, sequences, files, references, workspace, options);
    if ("reason" in outcome) plan.skipped.push({ dockerfiles: files, reason: outcome.reason });
    else plan.groups.push(outcome);
  }

  for (const [bakePath, bake] of workspace.bakes) {
    bake.file.header = bakeHeader(bakePath, bake.sources);
    workspace.texts.set(bakePath, renderBake(bake.file));
  }
  const paths = new Set([...workspace.texts.keys(), ...workspace.removed]);
  for (const file of [...paths].sort()) {
    const before = view.snapshot.texts.get(file);
    const after = workspace.removed.has(file) ? undefined : workspace.texts.get(file);
    if (before !== after) plan.changes.push({ path: file, before, after });
  }
  return plan;
}

function connectedGroups(edges: [string, string][]): string[][] {
  const parent = new Map<string, string>();
  const find = (node: string): string => {
    let current = node;
    while (parent.get(current) !== current) current = parent.get(current) ?? current;
    return current;
  };
  for (const [a, b] of edges) {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const rootA = find(a);
    const rootB = find(b);
    if (rootA !== rootB) parent.set(rootA < rootB ? rootB : rootA, rootA < rootB ? rootA : rootB);
  }
  const byRoot = new Map<string, string[]>();
  for (const node of [...parent.keys()].sort()) byRoot.set(find(node), [...(byRoot.get(find(node)) ?? []), node]);
  return [...byRoot.values()].sort((a, b) => ((a[0] ?? "") < (b[0] ?? "") ? -1 : 1));
}

function composeReferences(view: RepositoryView): Map<string, ComposeReference[]> {
  const result = new Map<string, ComposeReference[]>();
  for (const compose of view.composes) {
    const composeDir = path.posix.dirname(compose.path);
    for (const service of compose.services) {
      if (!service.build) continue;
      const root = normalize(path.posix.join(composeDir, service.build.context));
      const dockerfile = normalize(path.posix.join(root, service.build.dockerfile ?? "Dockerfile"));
      result.set(dockerfile, [...(result.get(dockerfile) ?? []), { file: compose.path, service }]);
    }
  }
  return result;
}

type GroupOutcome = ConsolidationGroup | { reason: string };

function planGroup(
  view: RepositoryView,
  models: ReadonlyMap<string, DockerfileModel>,
  sequences: ReadonlyMap<string, string[]>,
  files: string[],
  references: ReadonlyMap<string, ComposeReference[]>,
  workspace: Workspace,
  options: ConsolidateOptions,
): GroupOutcome {
  // 1. Who takes part.
  const members: Member[] = [];
  for (const file of files) {
    const model = models.get(file);
    const context = view.contexts.get(file);
    if (!model || !context) return { reason: `${file} could not be read` };
    if (model.stages.length !== 1) return { reason: `${file} has ${model.stages.length} stages; only single-stage Dockerfiles are consolidated` };
    if (/^(https?|git|ssh):|^git@/.test(context.root)) return { reason: `${file} is built from a remote context` };
    members.push({ path: file, model, normalized: sequences.get(file) ?? [], root: context.root, prefix: "", target: "", compose: references.get(file) ?? [] });
  }
  const first = members[0] as Member;
  const directives = (member: Member): string => member.model.directives.map((directive) => `${directive.name}=${directive.value}`).join("\n");
  const preamble = (member: Member): string => member.normalized.filter((_, index) => (member.model.instructions[index]?.stageIndex ?? 0) < 0).join("\n");
  for (const member of members.slice(1)) {
    if (directives(member) !== directives(first)) return { reason: `${member.path} and ${first.path} have different parser directives` };
    if (preamble(member) !== preamble(first)) return { reason: `${member.path} and ${first.path} declare different ARGs before FROM` };
  }

  // 2. The new context, Dockerfile and ignore file.
  const context = commonAncestor(members.map((member) => member.root));
  for (const member of members) {
    member.prefix = context === "" ? member.root : member.root === context ? "" : member.root.slice(context.length + 1);
    if (/[*?[\]\\]/.test(member.prefix)) return { reason: `${member.root} has glob characters in its path; its .dockerignore patterns cannot be scoped to it` };
    const problem = unrewritableSource(member);
    if (problem !== undefined) return { reason: problem };
  }
  const memberPaths = new Set(members.map((member) => member.path));
  const removable = (file: string): boolean => memberPaths.has(file) || [...memberPaths].some((member) => file === `${member}.dockerignore`);
  const available = (file: string): boolean => !workspace.claimed.has(file) && (!workspace.existing.has(file) || removable(file));
  const dockerfileName = DOCKERFILE_NAMES.find((name) => available(join(context, name)) && available(join(context, `${name}.dockerignore`)));
  if (dockerfileName === undefined) return { reason: `${join(context, "Dockerfile")} and ${join(context, "consolidated.Dockerfile")} are taken` };
  const dockerfilePath = join(context, dockerfileName);
  const ignorePath = `${dockerfilePath}.dockerignore`;

  // 3. Names: compose service names first, else the Dockerfile's directory (or its name suffix).
  const composeFiles = [...new Set(members.flatMap((member) => member.compose.map((reference) => reference.file)))];
  const bakeDir = composeFiles.length > 0 && new Set(composeFiles.map((file) => path.posix.dirname(file))).size === 1 ? normalize(path.posix.dirname(composeFiles[0] as string)) : context;
  // A bake file an earlier group of this run writes is shared; an existing one is never touched.
  const bakePath = BAKE_FILE_NAMES.map((name) => join(bakeDir, name)).find((candidate) => workspace.bakes.has(candidate) || available(candidate));
  if (bakePath === undefined) return { reason: `${BAKE_FILE_NAMES.map((name) => join(bakeDir, name)).join(" and ")} exist` };
  const taken = new Set(workspace.targetNames.get(bakePath) ?? []);
  for (const member of members) {
    member.target = uniqueName(targetName(member), taken);
    taken.add(member.target);
  }
  const baseStage = uniqueName("base", taken);

  // 4. The shared base.
  // Services built from the same directory with the same ignore file read the same files, so
  // their COPYs of the context can be shared too.
  const ignoreOf = (member: Member): string => view.contexts.get(member.path)?.dockerignore?.path ?? "";
  const sameContext = members.every((member) => member.prefix === "" && ignoreOf(member) === ignoreOf(first));
  const baseInstructions = sharedPrefixLength(members, sameContext);

  // 5. The Dockerfile.
  const eol = first.model.text.includes("\r\n") ? "\r\n" : "\n";
  const dockerfileText = renderDockerfile(members, baseInstructions, baseStage, path.posix.relative(context, bakePath), eol);

  // 6. The ignore file, checked against every original context.
  const ownFiles = new Set([dockerfilePath, ignorePath, bakePath]);
  const ignoreText = renderIgnore(view, members, context, ownFiles, eol);
  const ignoreProblem = checkIgnore(view, members, context, ignoreText, (file) => removable(file) || ownFiles.has(file));
  if (ignoreProblem !== undefined) return { reason: ignoreProblem };

  // 7. Compose edits.
  const composeTexts = new Map<string, string>();
  for (const composeFile of composeFiles) {
    const text = workspace.texts.get(composeFile);
    if (text === undefined) return { reason: `${composeFile} could not be read` };
    const requests = members.flatMap((member) => member.compose.filter((reference) => reference.file === composeFile).map((reference) => ({ member, reference })));
    const edited = editCompose(text, composeFile, requests.map(({ member, reference }) => ({ service: reference.service, context, dockerfile: dockerfilePath, target: member.target })));
    if ("reason" in edited) return edited;
    composeTexts.set(composeFile, edited.text);
  }

  // 8. Bake targets.
  const bake = workspace.bakes.get(bakePath) ?? { file: { header: [], variables: [], groups: [{ name: "default", targets: [] }], targets: [] }, sources: [] };
  // The tag variable must not shadow an ARG of the Dockerfile.
  const tagVariable = TAG_VARIABLES.find((name) => !first.model.globalArgs.has(name)) ?? "SHIPSHAPE_TAG";
  const globalArgs = [...first.model.globalArgs].filter((entry): entry is [string, string] => entry[1] !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(entry[0]));
  const newVariables = [
    ...(bake.file.variables.some((variable) => variable.name === tagVariable) ? [] : [{ name: tagVariable, default: "latest", description: "Tag of every image built here." }]),
    ...globalArgs.filter(([name]) => !bake.file.variables.some((variable) => variable.name === name)).map(([name, value]) => ({ name, default: value, description: `ARG ${name} of ${dockerfilePath}.` })),
  ];
  const conflicting = globalArgs.find(([name, value]) => bake.file.variables.some((variable) => variable.name === name && variable.default !== value));
  if (conflicting) return { reason: `${bakePath} already has a variable ${conflicting[0]} with another default` };
  const project = projectName(view, composeFiles[0], options);
  const targets: BakeTarget[] = members.map((member) => ({
    name: member.target,
    context: path.posix.relative(bakeDir, context) || ".",
    dockerfile: path.posix.relative(context, dockerfilePath),
    target: member.target,
    tags: [imageTag(member, project, tagVariable)],
    args: buildArgs(member, globalArgs.map(([name]) => name)),
  }));

  // Commit.
  for (const member of members) {
    if (member.path !== dockerfilePath) workspace.removed.add(member.path);
    const specificIgnore = `${member.path}.dockerignore`;
    if (workspace.existing.has(specificIgnore) && specificIgnore !== ignorePath) workspace.removed.add(specificIgnore);
  }
  workspace.texts.set(dockerfilePath, dockerfileText);
  workspace.texts.set(ignorePath, ignoreText);
  workspace.removed.delete(dockerfilePath);
  workspace.removed.delete(ignorePath);
  for (const [file, text] of composeTexts) workspace.texts.set(file, text);
  for (const file of [dockerfilePath, ignorePath, bakePath]) workspace.claimed.add(file);
  bake.file.variables.push(...newVariables);
  bake.file.groups[0]?.targets.push(...targets.map((target) => target.name));
  bake.file.targets.push(...targets);
  bake.sources.push(dockerfilePath);
  workspace.bakes.set(bakePath, bake);
  workspace.targetNames.set(bakePath, taken);

  let lowest = 1;
  for (const a of members) for (const b of members) if (a.path < b.path) lowest = Math.min(lowest, similarity(a.normalized, b.normalized));
  return {
    dockerfile: dockerfilePath,
    context,
    ignoreFile: ignorePath,
    bakeFile: bakePath,
    base: baseInstructions > 0 ? { stage: baseStage, instructions: baseInstructions + 1 } : undefined,
    similarity: lowest,
    services: members.map((member) => ({
      dockerfile: member.path,
      context: member.root,
      target: member.target,
      composeServices: member.compose.map((reference) => ({ file: reference.file, service: reference.service.name })),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Dockerfile

/**
 * Stage instructions (FROM excluded) every member begins with, up to the first ONBUILD (its
 * trigger would fire in every `FROM base`) and, unless all members read the same context, the
 * first instruction that reads the context; 0 when the FROMs differ.
 */
function sharedPrefixLength(members: readonly Member[], sameContext: boolean): number {
  const fromKey = (member: Member): string => {
    const stage = member.model.stages[0];
    return stage ? [...stage.from.flags.map((flag) => `--${flag.name}=${flag.value ?? ""}`), stage.base.raw].join(" ") : "";
  };
  const first = members[0] as Member;
  if (members.some((member) => fromKey(member) !== fromKey(first))) return 0;
  const stageOf = (member: Member): Instruction[] => member.model.stages[0]?.instructions ?? [];
  let length = 0;
  for (;;) {
    const instruction = stageOf(first)[length];
    if (!instruction || instruction.onbuild || instruction.keyword === "ONBUILD") return length;
    if (!sameContext && !isContextFree(instruction)) return length;
    const key = first.normalized[instruction.index];
    for (const member of members) {
      const other = stageOf(member)[length];
      if (!other || member.normalized[other.index] !== key) return length;
    }
    length++;
  }
}

function isContextFree(instruction: Instruction): boolean {
  if (instruction.onbuild || instruction.keyword === "ONBUILD") return false;
  if (isCopyOrAdd(instruction)) return instruction.keyword === "COPY" && instruction.from !== undefined;
  if (isRun(instruction)) return !instruction.mounts.some((mount) => mount.type === "bind" && mount.from === undefined);
  return true;
}

/** Why a member's context sources cannot be moved under its directory, if they cannot. */
function unrewritableSource(member: Member): string | undefined {
  if (member.prefix === "") return undefined;
  for (const instruction of member.model.instructions) {
    const where = `${member.path}:${instruction.span.start.line}`;
    if (isCopyOrAdd(instruction) && instruction.from === undefined) {
      if (instruction.heredocs.length > 0) return `${where}: ${instruction.keyword} with a heredoc is not rewritten`;
      const flag = instruction.flags.find((candidate) => candidate.name === "parents" || candidate.name === "exclude");
      if (flag) return `${where}: ${instruction.keyword} --${flag.name} depends on the context layout; not rewritten`;
      const variable = instruction.sources.find((source) => !isRemoteSource(instruction, source) && /[$]/.test(source));
      if (variable !== undefined) return `${where}: the source ${variable} uses a variable; it cannot be moved under ${member.prefix}/ safely`;
    }
    if (isRun(instruction)) {
      for (const mount of instruction.mounts) {
        if (mount.type !== "bind" || mount.from !== undefined) continue;
        if ((mount.source ?? "").includes("$")) return `${where}: the bind mount source uses a variable`;
        const flag = instruction.flags.find((candidate) => candidate.name === "mount" && (candidate.value ?? "").includes('"'));
        if (flag) return `${where}: quoted --mount options are not rewritten`;
      }
    }
  }
  return undefined;
}

function isRemoteSource(instruction: CopyInstruction, source: string): boolean {
  return instruction.keyword === "ADD" && /^(https?:\/\/|git@|git:\/\/|ssh:\/\/)/.test(source);
}

/** A context path moved under `prefix`, cleaned as BuildKit cleans it (`..` stops at the context root). */
export function prefixedSource(prefix: string, source: string): string {
  const cleaned = path.posix.normalize(`/${source}`);
  return prefix === "" ? source : `${prefix}${cleaned}`;
}

function renderDockerfile(members: readonly Member[], shared: number, baseStage: string, bakeFile: string, eol: string): string {
  const first = members[0] as Member;
  const firstFrom = first.model.stages[0]?.from;
  if (!firstFrom) return "";
  const blocks: string[] = [];
  const header = first.model.text.slice(0, firstFrom.span.start.offset).trimEnd();
  if (header !== "") blocks.push(header);
  const names = members.map((member) => member.target).join(", ");
  blocks.push(`# Consolidated by \`shipshape fix --consolidate\`: one target per service (${names}).${eol}# ${bakeFile} builds them all; \`docker build --target <name>\` builds one.`);
  if (shared > 0) {
    const last = first.model.stages[0]?.instructions[shared - 1] as Instruction;
    const body = first.model.text.slice(firstFrom.span.end.offset, last.span.end.offset).replace(/^(\r?\n)+/, "");
    blocks.push(`# The instructions every service's Dockerfile began with.${eol}${fromLine(first.model, baseStage)}${eol}${body}`);
  }
  for (const member of members) {
    const stage = member.model.stages[0];
    if (!stage) continue;
    const sharedInstructions = stage.instructions.slice(0, shared);
    const start = shared > 0 ? (sharedInstructions.at(-1) as Instruction).span.end.offset : stage.from.span.end.offset;
    const edits: TextEdit[] = [];
    for (const instruction of stage.instructions.slice(shared)) {
      const replacement = rewrittenInstruction(member, instruction);
      if (replacement !== undefined) edits.push({ start: instruction.span.start.offset - start, end: instruction.span.end.offset - start, text: replacement });
    }
    const rest = applyEdits(member.model.text.slice(start), edits).replace(/^(\r?\n)+/, "").trimEnd();
    // ARG scope ends with its stage: the base's ARGs must be declared again to stay visible.
    const redeclared = sharedInstructions.filter((instruction) => instruction.keyword === "ARG" && !instruction.onbuild).map((instruction) => member.model.text.slice(instruction.span.start.offset, instruction.span.end.offset));
    const from = shared > 0 ? `FROM ${baseStage} AS ${member.target}` : fromLine(member.model, member.target);
    const origin = `# ${member.target}: was ${member.path}${member.root === "" ? "" : ` (build context ${member.root}/)`}`;
    blocks.push([origin, from, ...redeclared, ...(rest === "" ? [] : [rest])].join(eol));
  }
  return `${blocks.join(`${eol}${eol}`)}${eol}`;
}

function fromLine(model: DockerfileModel, stageName: string): string {
  const stage = model.stages[0];
  if (!stage) return `FROM scratch AS ${stageName}`;
  const flags = stage.from.flags.map((flag) => model.text.slice(flag.span.start.offset, flag.span.end.offset));
  return ["FROM", ...flags, stage.base.raw, "AS", stageName].join(" ");
}

function rewrittenInstruction(member: Member, instruction: Instruction): string | undefined {
  if (member.prefix === "") return undefined;
  const text = member.model.text;
  const keyword = text.slice(instruction.span.start.offset, instruction.span.start.offset + instruction.keyword.length);
  if (isCopyOrAdd(instruction) && instruction.from === undefined) {
    const sources = instruction.sources.map((source) => (isRemoteSource(instruction, source) ? source : prefixedSource(member.prefix, source)));
    const flags = instruction.flags.map((flag) => text.slice(flag.span.start.offset, flag.span.end.offset));
    const words = [...sources, instruction.destination];
    const json = instruction.argumentText.trim().startsWith("[") || words.some((word) => /[\s"'\\]/.test(word));
    return [keyword, ...flags, json ? JSON.stringify(words) : words.join(" ")].join(" ");
  }
  if (isRun(instruction) && instruction.mounts.some((mount) => mount.type === "bind" && mount.from === undefined)) {
    return rewrittenRun(member, instruction);
  }
  return undefined;
}

/** The RUN with each context bind mount's source moved under the member's directory; only the --mount flags change. */
function rewrittenRun(member: Member, instruction: RunInstruction): string {
  const text = member.model.text;
  const start = instruction.span.start.offset;
  const edits: TextEdit[] = [];
  for (const flag of instruction.flags) {
    if (flag.name !== "mount" || flag.value === undefined) continue;
    const options = flag.value.split(",");
    const keyOf = (option: string): string => (option.split("=")[0] ?? "").trim().toLowerCase();
    const type = options.find((option) => keyOf(option) === "type")?.split("=")[1]?.trim() ?? "bind";
    if (type !== "bind" || options.some((option) => keyOf(option) === "from")) continue;
    const index = options.findIndex((option) => keyOf(option) === "source" || keyOf(option) === "src");
    if (index >= 0) {
      const [key, ...value] = (options[index] as string).split("=");
      options[index] = `${key}=${prefixedSource(member.prefix, value.join("="))}`;
    } else options.push(`source=${member.prefix}`);
    edits.push({ start: flag.span.start.offset - start, end: flag.span.end.offset - start, text: `--mount=${options.join(",")}` });
  }
  return applyEdits(text.slice(start, instruction.span.end.offset), edits);
}

function targetName(member: Member): string {
  const composeName = member.compose[0]?.service.name;
  const base = path.posix.basename(member.path);
  const fromFileName = /^Dockerfile\.(.+)$/i.exec(base)?.[1] ?? /^(.+)\.dockerfile$/i.exec(base)?.[1];
  const raw = composeName ?? fromFileName ?? (path.posix.basename(path.posix.dirname(member.path)) || "app");
  const name = raw.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^[^a-z]+/, "").replace(/(?<!-)-+$/, "");
  return name === "" ? "app" : name;
}

function uniqueName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name) && BAKE_NAME.test(name)) return name;
  for (let index = 2; ; index++) if (!taken.has(`${name}-${index}`)) return `${name}-${index}`;
}

// ---------------------------------------------------------------------------------------------
// .dockerignore

function renderIgnore(view: RepositoryView, members: readonly Member[], context: string, ownFiles: ReadonlySet<string>, eol: string): string {
  const lines = [
    "# Build context of the consolidated Dockerfile (written by `shipshape fix --consolidate`).",
    "# BuildKit reads <Dockerfile>.dockerignore before the context's .dockerignore; each service's",
    "# patterns are kept below, scoped to its directory.",
  ];
  const everyPrefixed = members.every((member) => member.prefix !== "");
  if (everyPrefixed) lines.push("# Only the services' directories are sent:", "*", ...[...new Set(members.map((member) => member.prefix))].sort().map((prefix) => `!${prefix}`));
  const seen = new Set<string>();
  for (const member of members) {
    const ignore = view.contexts.get(member.path)?.dockerignore;
    if (!ignore || seen.has(`${ignore.path}\u0000${member.prefix}`)) continue;
    seen.add(`${ignore.path}\u0000${member.prefix}`);
    lines.push(`# ${ignore.path}${member.prefix === "" ? "" : `, scoped to ${member.prefix}/`}`);
    for (const pattern of ignore.patterns) lines.push(scopedPattern(member.prefix, pattern));
  }
  // Last, so that no exception above brings them back.
  if (!everyPrefixed) lines.push("# Files this consolidation adds are not part of any image:", ...[...ownFiles].map((file) => (context === "" ? file : file.slice(context.length + 1))).sort());
  return `${lines.join(eol)}${eol}`;
}

/** A .dockerignore pattern that matches `<prefix>/<path>` exactly when the original matched `<path>`. */
export function scopedPattern(prefix: string, pattern: string): string {
  if (prefix === "") return pattern;
  if (pattern.startsWith("!")) return `!${scopedPattern(prefix, pattern.slice(1))}`;
  // `**.md` is a plain suffix test in Docker's matcher; below a directory it needs a path component.
  if (pattern.startsWith("**") && !pattern.startsWith("**/") && pattern !== "**") return `${prefix}/**/*${pattern.slice(2)}`;
  return `${prefix}/${pattern}`;
}

/** Every file of every original context is sent exactly when it was before (files this plan removes or adds aside). */
function checkIgnore(view: RepositoryView, members: readonly Member[], context: string, ignoreText: string, exempt: (file: string) => boolean): string | undefined {
  const patterns = ignoreText.split(/\r?\n/).filter((line) => line !== "" && !line.startsWith("#"));
  const matcher = compileDockerignore(patterns);
  for (const member of members) {
    const original = view.contexts.get(member.path);
    if (!original) continue;
    for (const entry of original.entries) {
      const file = join(original.root, entry.path);
      if (exempt(file)) continue;
      const relative = context === "" ? file : file.slice(context.length + 1);
      const excluded = matcher.excludes(relative);
      if (excluded !== entry.excluded) {
        return `the combined ignore file would ${excluded ? "leave out" : "send"} ${file}, which the build of ${member.path} ${entry.excluded ? "did not send" : "sent"}`;
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// compose

interface ComposeBuildEdit {
  service: ComposeService;
  context: string;
  dockerfile: string;
  target: string;
}

/** Points each service's `build:` at the new context, Dockerfile and target; every other byte stays. */
export function editCompose(text: string, composePath: string, requests: readonly ComposeBuildEdit[]): { text: string } | { reason: string } {
  const document = parseDocument(text, { uniqueKeys: false });
  const services = document.get("services", true);
  if (!isMap(services)) return { reason: `${composePath}: no services mapping` };
  const composeDir = normalize(path.posix.dirname(composePath));
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const edits: TextEdit[] = [];
  for (const request of requests) {
    const where = `${composePath}: service ${request.service.name}`;
    const servicePair = services.items.find((item) => isScalar(item.key) && String(item.key.value) === request.service.name) as Pair<YamlNode, YamlNode> | undefined;
    const serviceMap = servicePair?.value;
    if (!servicePair || !isMap(serviceMap)) return { reason: `${where} not found` };
    const buildPair = (serviceMap as YAMLMap<YamlNode, YamlNode>).items.find((item) => isScalar(item.key) && item.key.value === "build");
    if (!buildPair || !buildPair.key?.range) return { reason: `${where} has no build` };
    const current = request.service.build;
    const currentRoot = normalize(path.posix.join(composeDir, current?.context ?? "."));
    const contextValue = path.posix.relative(composeDir, request.context) || ".";
    const dockerfileValue = path.posix.relative(request.context, request.dockerfile);
    const value = buildPair.value;
    const keyRange = buildPair.key.range;
    const indent = columnOf(text, keyRange[0]) + indentStep(text, servicePair, buildPair);
    if (isScalar(value) && value.range) {
      // `build: ./services/api` becomes a block mapping in place of the scalar.
      const colon = text.indexOf(":", keyRange[1]);
      const keep = currentRoot === request.context && typeof value.source === "string" ? String(value.source) : contextValue;
      const lines = [`context: ${yamlScalar(keep)}`];
      if (dockerfileValue !== "Dockerfile") lines.push(`dockerfile: ${yamlScalar(dockerfileValue)}`);
      lines.push(`target: ${yamlScalar(request.target)}`);
      edits.push({ start: colon + 1, end: value.range[1], text: lines.map((line) => `${eol}${" ".repeat(indent)}${line}`).join("") });
      continue;
    }
    if (!isMap(value) || value.flow) return { reason: `${where}: a flow-style or unusual build: entry is not edited; set context/dockerfile/target by hand` };
    const items = (value as YAMLMap<YamlNode, YamlNode>).items;
    const itemIndent = items[0]?.key?.range ? columnOf(text, items[0].key.range[0]) : indent;
    const wanted: [string, string, boolean][] = [
      ["context", contextValue, currentRoot !== request.context],
      // After the edit the key (or its default) is read relative to the new context.
      ["dockerfile", dockerfileValue, normalize(path.posix.join(request.context, current?.dockerfile ?? "Dockerfile")) !== request.dockerfile],
      ["target", request.target, current?.target !== request.target],
    ];
    const inserts: string[] = [];
    for (const [key, newValue, needed] of wanted) {
      const item = items.find((candidate) => isScalar(candidate.key) && candidate.key.value === key);
      if (item) {
        if (!needed) continue;
        if (!isScalar(item.value) || !item.value.range) return { reason: `${where}: build.${key} is not a plain value` };
        edits.push({ start: item.value.range[0], end: item.value.range[1], text: yamlScalar(newValue) });
      } else if (needed) inserts.push(`${" ".repeat(itemIndent)}${key}: ${yamlScalar(newValue)}${eol}`);
    }
    if (inserts.length > 0) {
      const last = items.at(-1);
      const end = last?.value?.range?.[1] ?? last?.key?.range?.[1] ?? value.range?.[1];
      if (end === undefined) return { reason: `${where}: cannot find the end of build:` };
      const newline = text[end - 1] === "\n" ? end - 1 : text.indexOf("\n", end);
      if (newline < 0) edits.push({ start: text.length, end: text.length, text: `${eol}${inserts.join("").slice(0, -eol.length)}` });
      else edits.push({ start: newline + 1, end: newline + 1, text: inserts.join("") });
    }
  }
  const after = applyEdits(text, edits);
  // The edited file must say what we meant, or nothing is written.
  try {
    const parsed = parseCompose(after, composePath);
    for (const request of requests) {
      const build = parsed.services.find((service) => service.name === request.service.name)?.build;
      const root = normalize(path.posix.join(composeDir, build?.context ?? "."));
      const dockerfile = normalize(path.posix.join(root, build?.dockerfile ?? "Dockerfile"));
      if (root !== request.context || dockerfile !== request.dockerfile || build?.target !== request.target) {
        return { reason: `${composePath}: editing service ${request.service.name} did not give the intended build (context ${root}, dockerfile ${dockerfile}, target ${build?.target ?? "none"})` };
      }
    }
  } catch (error) {
    return { reason: `${composePath}: the edited file does not parse (${(error as Error).message})` };
  }
  return { text: after };
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

/** The file's indentation step, read from the service key to its first field. */
function indentStep(text: string, servicePair: Pair<YamlNode, YamlNode>, buildPair: Pair<YamlNode, YamlNode>): number {
  const serviceKey = servicePair.key?.range?.[0];
  const buildKey = buildPair.key?.range?.[0];
  if (serviceKey === undefined || buildKey === undefined) return 2;
  const step = columnOf(text, buildKey) - columnOf(text, serviceKey);
  return step > 0 ? step : 2;
}

function yamlScalar(value: string): string {
  const plain = /^[A-Za-z0-9_./][A-Za-z0-9_./-]*$/.test(value) && !/^(true|false|yes|no|on|off|null|y|n|~|[-+]?(?=[0-9._]*[0-9])[0-9._]+(e[-+]?[0-9]+)?|\.inf|\.nan)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------
// bake

function projectName(view: RepositoryView, composeFile: string | undefined, options: ConsolidateOptions): string {
  let name: string | undefined;
  if (composeFile !== undefined) {
    const text = view.snapshot.texts.get(composeFile) ?? "";
    try {
      const declared = parseDocument(text).get("name");
      if (typeof declared === "string") name = declared;
    } catch {
      name = undefined;
    }
    const dir = normalize(path.posix.dirname(composeFile));
    if (name === undefined && dir !== "") name = path.posix.basename(dir);
  }
  name ??= options.projectName ?? path.basename(view.snapshot.root);
  // Compose keeps lower-case letters, digits, dashes and underscores.
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, "") || "project";
}

function imageTag(member: Member, project: string, tagVariable: string): HclTemplate {
  const image = member.compose.find((reference) => reference.service.image !== undefined)?.service.image;
  if (image !== undefined && !image.includes("${")) {
    const lastPart = image.slice(image.lastIndexOf("/") + 1);
    return lastPart.includes(":") || lastPart.includes("@") ? [image] : [`${image}:`, { variable: tagVariable }];
  }
  const repository = member.compose.length > 0 ? `${project}-${member.compose[0]?.service.name ?? member.target}` : member.target;
  return [`${repository}:`, { variable: tagVariable }];
}

/**
 * A target's build args: each global ARG from its bake variable, unless the service's compose
 * `build.args` sets it (then, as every compose arg with a value, literally: compose builds it so).
 */
function buildArgs(member: Member, variables: readonly string[]): { name: string; value: HclTemplate }[] {
  const composeArgs = Object.entries(member.compose[0]?.service.build?.args ?? {}).filter((entry): entry is [string, string] => entry[1] !== null);
  const fromCompose = new Map(composeArgs);
  return [
    ...variables.map((name) => ({ name, value: (fromCompose.has(name) ? [fromCompose.get(name) ?? ""] : [{ variable: name }]) as HclTemplate })),
    ...composeArgs.filter(([name]) => !variables.includes(name)).map(([name, value]) => ({ name, value: [value] as HclTemplate })),
  ];
}

function bakeHeader(bakePath: string, dockerfiles: readonly string[]): string[] {
  const dir = path.posix.dirname(bakePath);
  return [
    `Written by \`shipshape fix --consolidate\` for ${dockerfiles.join(", ")}.`,
    `Run from ${dir === "." ? "this directory" : `${dir}/`} (bake resolves contexts from the working directory):`,
    `  docker buildx bake -f ${path.posix.basename(bakePath)}            # every target`,
    `  docker buildx bake -f ${path.posix.basename(bakePath)} <target>   # one`,
    "-f keeps bake from merging a compose file of the same directory into these targets.",
  ];
}

// ---------------------------------------------------------------------------------------------
// paths

function normalize(posixPath: string): string {
  const normalized = path.posix.normalize(posixPath).replace(/(?<!\/)\/+$/, "");
  return normalized === "." ? "" : normalized;
}

function join(directory: string, file: string): string {
  return directory === "" ? file : `${directory}/${file}`;
}

function commonAncestor(roots: readonly string[]): string {
  const split = roots.map((root) => (root === "" ? [] : root.split("/")));
  const shortest = Math.min(...split.map((parts) => parts.length));
  const common: string[] = [];
  for (let index = 0; index < shortest; index++) {
    const part = split[0]?.[index];
    if (part === undefined || split.some((parts) => parts[index] !== part)) break;
    common.push(part);
  }
  return common.join("/");
}

// ---------------------------------------------------------------------------------------------
// output

/** A git-style diff of one change: created files from /dev/null, removed ones to /dev/null. */
export function consolidateDiff(change: ConsolidateChange, displayPath: string): string {
  if (change.after !== undefined) return unifiedDiff({ path: displayPath, before: change.before, after: change.after });
  const header = `diff --git a/${displayPath} b/${displayPath}\ndeleted file mode 100644\n`;
  if ((change.before ?? "") === "") return header;
  const diff = unifiedDiff({ path: displayPath, before: change.before, after: "" });
  return diff.replace(`diff --git a/${displayPath} b/${displayPath}\n--- a/${displayPath}\n+++ b/${displayPath}\n`, `${header}--- a/${displayPath}\n+++ /dev/null\n`);
}

/** What `shipshape fix --consolidate` says: where each old file went, what was created, what was skipped. */
export function renderConsolidateSummary(plans: readonly { displayRoot: string; plan: ConsolidatePlan }[], written: boolean): string {
  const lines: string[] = [];
  const show = (root: string, file: string): string => (root === "" || root === "." ? file : `${root.replace(/(?<!\/)\/+$/, "")}/${file}`);
  const groups = plans.flatMap(({ displayRoot, plan }) => plan.groups.map((group) => ({ displayRoot, group })));
  if (groups.length === 0) lines.push("shipshape fix --consolidate: no Dockerfiles similar enough to consolidate");
  for (const { displayRoot, group } of groups) {
    const base = group.base ? `shared base stage "${group.base.stage}": ${group.base.instructions} instructions` : "no shared base stage";
    lines.push(`shipshape fix --consolidate: ${group.services.length} Dockerfiles ${written ? "consolidated" : "would be consolidated"} into ${show(displayRoot, group.dockerfile)} (${Math.floor(group.similarity * 100)}% similar; ${base})`);
    const contextDir = path.posix.dirname(group.dockerfile);
    for (const service of group.services) {
      const relative = contextDir === "." ? group.dockerfile : group.dockerfile.slice(contextDir.length + 1);
      lines.push(`  ${show(displayRoot, service.dockerfile)} -> ${relative} target ${service.target}`);
    }
    lines.push(`  build context ${show(displayRoot, group.context) || "."}, ignore file ${show(displayRoot, group.ignoreFile)}, bake file ${show(displayRoot, group.bakeFile)}`);
    const composeServices = group.services.flatMap((service) => service.composeServices.map((reference) => `${show(displayRoot, reference.file)} ${reference.service} -> target ${service.target}`));
    for (const entry of composeServices) lines.push(`  compose: ${entry}`);
  }
  for (const { displayRoot, plan } of plans) {
    for (const skipped of plan.skipped) lines.push(`skipped ${skipped.dockerfiles.map((file) => show(displayRoot, file)).join(", ")}: ${skipped.reason}`);
  }
  const changes = plans.flatMap(({ plan }) => plan.changes);
  if (changes.length > 0) {
    const created = changes.filter((change) => change.before === undefined).length;
    const removed = changes.filter((change) => change.after === undefined).length;
    const verb = written ? "" : "would be ";
    lines.push(`${changes.length} files ${verb}changed: ${created} ${verb}created, ${removed} ${verb}removed, ${changes.length - created - removed} ${verb}edited${written ? "" : " (run with --write to apply)"}`);
  }
  return `${lines.join("\n")}\n`;
}
