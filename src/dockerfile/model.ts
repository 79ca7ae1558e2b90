// The Dockerfile model every rule and rewrite works on. Built once per file by parse.ts;
// plain data, no parser objects leak out, so rules stay simple and testable.

/** 1-based line, 1-based column; `offset` is a 0-based index into the file text. */
export interface Point {
  line: number;
  column: number;
  offset: number;
}

export interface Span {
  start: Point;
  end: Point;
}

export interface ImageReference {
  /** As written after the FROM keyword (flags and AS removed). */
  raw: string;
  /** After substituting ARG values declared before the first FROM. */
  resolved: string;
  registry?: string;
  /** Repository path without registry, e.g. `library/node` is reported as `node`. */
  name: string;
  tag?: string;
  digest?: string;
  /** True when `${VAR}` parts remain that no ARG default resolved. */
  unresolved: boolean;
}

export interface Flag {
  name: string;
  value: string | undefined;
  span: Span;
}

export type MountType = "bind" | "cache" | "secret" | "ssh" | "tmpfs";

export interface Mount {
  type: MountType;
  target?: string;
  source?: string;
  from?: string;
  id?: string;
  sharing?: string;
  /** Every option as written, lower-cased keys. */
  options: Record<string, string>;
}

/** One simple command inside a RUN body, after shell parsing. */
export interface ShellCommand {
  /** Words as the shell would see them when they are literal; parameter expansions stay as written. */
  argv: string[];
  /** argv[0] without a leading path or `sudo`/`env`/`exec` wrapper; empty for pure assignments. */
  name: string;
  /** The arguments after `name`. */
  args: string[];
  /** `VAR=value` prefixes. */
  assignments: string[];
  /** Commands connected by `|` share a pipeline id; a lone command has its own. */
  pipeline: number;
  /** Position inside its pipeline (0-based) and pipeline length. */
  pipelineIndex: number;
  pipelineLength: number;
  /** True when reached through `sh -c '...'` / `bash -c "..."`. */
  viaShellString: boolean;
  /** Whether this command was wrapped in `sudo`. */
  sudo: boolean;
  /** Text of the command as written in the script. */
  text: string;
}

export interface ShellScript {
  source: string;
  commands: ShellCommand[];
  /** `set -o pipefail` (or `set -euo pipefail` etc.) appears before the first pipeline. */
  setsPipefail: boolean;
  /** The shell parser's message when the body could not be parsed; commands is then a best effort. */
  parseError?: string;
}

export interface Heredoc {
  name: string;
  content: string;
}

interface InstructionBase {
  keyword: string;
  /** Span of the whole instruction including continuation lines. */
  span: Span;
  /** Raw text after the keyword and flags. */
  argumentText: string;
  /** Arguments split as Docker does for non-RUN instructions (quotes honoured). */
  args: string[];
  flags: Flag[];
  /** Index of the stage this belongs to; -1 for ARGs before the first FROM. */
  stageIndex: number;
  /** Index in Dockerfile order. */
  index: number;
  /** Inside ONBUILD: the keyword of the triggered instruction. */
  onbuild: boolean;
}

export interface RunInstruction extends InstructionBase {
  keyword: "RUN";
  form: "shell" | "exec";
  mounts: Mount[];
  /** The command text (shell form) or the joined argv (exec form). */
  script: string;
  shell: ShellScript;
  heredocs: Heredoc[];
}

export interface CopyInstruction extends InstructionBase {
  keyword: "COPY" | "ADD";
  sources: string[];
  destination: string;
  /** --from value, if any. */
  from?: string;
  chown?: string;
  heredocs: Heredoc[];
}

export interface CommandInstruction extends InstructionBase {
  keyword: "CMD" | "ENTRYPOINT" | "HEALTHCHECK";
  form: "shell" | "exec" | "none";
  /** For exec form the JSON array; for shell form the words of the command. */
  command: string[];
}

export interface KeyValueInstruction extends InstructionBase {
  keyword: "ENV" | "ARG" | "LABEL";
  pairs: { key: string; value: string | undefined }[];
}

export interface OtherInstruction extends InstructionBase {
  keyword: "FROM" | "WORKDIR" | "USER" | "EXPOSE" | "VOLUME" | "SHELL" | "STOPSIGNAL" | "ONBUILD" | "MAINTAINER" | string;
}

export type Instruction = RunInstruction | CopyInstruction | CommandInstruction | KeyValueInstruction | OtherInstruction;

export interface Stage {
  index: number;
  /** `AS name`, lower-cased as Docker matches it. */
  name?: string;
  from: OtherInstruction;
  base: ImageReference;
  /** The stage this one builds FROM, when the base names an earlier stage. */
  baseStage?: number;
  isScratch: boolean;
  /** The last stage: what `docker build` without --target produces. */
  isFinal: boolean;
  /** Other stages copy from it or build on it. */
  usedByLaterStages: boolean;
  /** Instructions after FROM, in order (FROM itself excluded). */
  instructions: Instruction[];
}

export interface ParserDirective {
  name: string;
  value: string;
  line: number;
}

export interface Comment {
  line: number;
  text: string;
}

export interface DockerfileModel {
  path: string;
  text: string;
  directives: ParserDirective[];
  escapeChar: string;
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Map<string, string | undefined>;
  stages: Stage[];
  instructions: Instruction[];
  comments: Comment[];
  /** Offsets of the start of each line (0-based line index). */
  lineStarts: number[];
}

export function isRun(instruction: Instruction): instruction is RunInstruction {
  return instruction.keyword === "RUN";
}

export function isCopyOrAdd(instruction: Instruction): instruction is CopyInstruction {
  return instruction.keyword === "COPY" || instruction.keyword === "ADD";
}

export function isCommandLike(instruction: Instruction): instruction is CommandInstruction {
  return instruction.keyword === "CMD" || instruction.keyword === "ENTRYPOINT" || instruction.keyword === "HEALTHCHECK";
}

export function isKeyValue(instruction: Instruction): instruction is KeyValueInstruction {
  return instruction.keyword === "ENV" || instruction.keyword === "ARG" || instruction.keyword === "LABEL";
}

export function finalStage(model: DockerfileModel): Stage | undefined {
  return model.stages.at(-1);
}

/** Stages whose contents can reach the final image: the final stage and the stages it builds FROM. */
export function runtimeStages(model: DockerfileModel): Stage[] {
  const result: Stage[] = [];
  let stage = finalStage(model);
  while (stage) {
    result.unshift(stage);
    stage = stage.baseStage === undefined ? undefined : model.stages[stage.baseStage];
  }
  return result;
}

/** Whether a stage's own layers end up in the image `docker build` produces by default. */
export function isRuntimeStage(model: DockerfileModel, stage: Stage): boolean {
  return runtimeStages(model).includes(stage);
}
