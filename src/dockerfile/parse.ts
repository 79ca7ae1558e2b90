// Builds the DockerfileModel from text: dockerfile-ast finds instructions, ranges, flags and
// heredocs; we normalise them into plain data and parse each RUN body once (shell.ts).
import { DockerfileParser, Instruction as AstInstructionClass } from "dockerfile-ast";
import type { Argument, Instruction as AstInstruction, Flag as AstFlag } from "dockerfile-ast";
import { parseImageReference } from "./image-ref.ts";
import { parseShell } from "./shell.ts";
import type {
  CommandInstruction,
  Comment,
  CopyInstruction,
  DockerfileModel,
  Flag,
  Heredoc,
  Instruction,
  KeyValueInstruction,
  Mount,
  MountType,
  OtherInstruction,
  ParserDirective,
  Point,
  RunInstruction,
  Span,
  Stage,
} from "./model.ts";

interface LspPosition {
  line: number;
  character: number;
}

const PARSER_DIRECTIVES = new Set(["syntax", "escape", "check"]);

// dockerfile-ast computes an instruction's arguments afresh on every call, character by
// character over the instruction's text, and calls it about five times per instruction while
// parsing and building the model (a tenth of an audit's time on real files). Our documents are
// never edited after parsing, so the first answer is kept on the instruction; callers get a
// copy of the array, as they got a new one before.
const cachedArguments = Symbol("shipshape.rawArguments");
type CachingInstruction = AstInstruction & { [cachedArguments]?: Argument[] };
// getRawArguments is private in dockerfile-ast's types; it is what getArguments and the subclasses call.
const astPrototype = AstInstructionClass.prototype as unknown as { getRawArguments(this: CachingInstruction): Argument[] };
const computeRawArguments = astPrototype.getRawArguments;
astPrototype.getRawArguments = function (this: CachingInstruction): Argument[] {
  const cached = (this[cachedArguments] ??= computeRawArguments.call(this));
  return cached.slice();
};

function lineText(text: string, lineStarts: readonly number[], line: number): string {
  const start = lineStarts[line - 1] ?? text.length;
  const end = lineStarts[line] ?? text.length;
  return text.slice(start, end).replace(/\r?\n$/, "");
}

export function parseDockerfile(text: string, path = "Dockerfile"): DockerfileModel {
  const lineStarts = computeLineStarts(text);
  const point = (position: LspPosition): Point => ({
    line: position.line + 1,
    column: position.character + 1,
    offset: Math.min(text.length, (lineStarts[position.line] ?? text.length) + position.character),
  });
  const span = (range: { start: LspPosition; end: LspPosition }): Span => ({ start: point(range.start), end: point(range.end) });

  const ast = DockerfileParser.parse(text);
  const escapeChar = ast.getEscapeCharacter();
  const directives: ParserDirective[] = [];
  const comments: Comment[] = [];
  // dockerfile-ast reads any leading `# key=value` line as a directive; BuildKit only knows a
  // few, and the rest (`# hadolint global ignore=...`) are ordinary comments.
  for (const directive of ast.getDirectives()) {
    const name = directive.getName().toLowerCase();
    const line = directive.getRange().start.line + 1;
    if (PARSER_DIRECTIVES.has(name)) directives.push({ name, value: directive.getValue(), line });
    else comments.push({ line, text: lineText(text, lineStarts, line).replace(/^\s*#\s?/, "") });
  }
  for (const comment of ast.getComments()) comments.push({ line: comment.getRange().start.line + 1, text: comment.getContent() });
  comments.sort((a, b) => a.line - b.line);

  const globalArgs = new Map<string, string | undefined>();
  const stages: Stage[] = [];
  const instructions: Instruction[] = [];
  const stageNames = new Map<string, number>();

  for (const node of ast.getInstructions()) {
    const keyword = node.getKeyword().toUpperCase();
    const stageIndex = stages.length - 1;
    const instruction = buildInstruction(node, keyword, stageIndex, instructions.length, text, span, escapeChar);
    instructions.push(instruction);

    if (keyword === "FROM") {
      const stage = buildStage(instruction, stages.length, globalArgs, stageNames);
      instruction.stageIndex = stage.index;
      stages.push(stage);
      if (stage.name !== undefined) stageNames.set(stage.name, stage.index);
      if (stage.baseStage !== undefined) markUsed(stages, stage.baseStage);
      continue;
    }
    if (stageIndex < 0) {
      if (keyword === "ARG") for (const pair of (instruction as KeyValueInstruction).pairs) globalArgs.set(pair.key, pair.value);
      continue;
    }
    const stage = stages[stageIndex];
    if (!stage) continue;
    stage.instructions.push(instruction);
    const source = instruction.keyword === "COPY" || instruction.keyword === "ADD" ? (instruction as CopyInstruction).from : undefined;
    if (source !== undefined) {
      const referenced = stageNames.get(source.toLowerCase()) ?? (/^\d+$/.test(source) ? Number(source) : undefined);
      if (referenced !== undefined && referenced < stage.index) markUsed(stages, referenced);
    }
    if (instruction.keyword === "RUN") {
      for (const mount of (instruction as RunInstruction).mounts) {
        const referenced = mount.from === undefined ? undefined : stageNames.get(mount.from.toLowerCase());
        if (referenced !== undefined) markUsed(stages, referenced);
      }
    }
  }
  const last = stages.at(-1);
  if (last) last.isFinal = true;

  return { path, text, directives, escapeChar, globalArgs, stages, instructions, comments, lineStarts };
}

function markUsed(stages: Stage[], index: number): void {
  const stage = stages[index];
  if (stage) stage.usedByLaterStages = true;
}

function buildStage(from: Instruction, index: number, globalArgs: Map<string, string | undefined>, stageNames: Map<string, number>): Stage {
  const words = from.args;
  const asIndex = words.findIndex((word) => word.toUpperCase() === "AS");
  const imageText = words[0] ?? "";
  const name = asIndex >= 0 ? words[asIndex + 1]?.toLowerCase() : undefined;
  const base = parseImageReference(imageText, globalArgs);
  const baseStage = stageNames.get(base.resolved.toLowerCase());
  const stage: Stage = {
    index,
    from: from as OtherInstruction,
    base,
    isScratch: base.resolved.toLowerCase() === "scratch",
    isFinal: false,
    usedByLaterStages: false,
    instructions: [],
  };
  if (name !== undefined) stage.name = name;
  if (baseStage !== undefined) stage.baseStage = baseStage;
  return stage;
}

type SpanOf = (range: { start: LspPosition; end: LspPosition }) => Span;

function buildInstruction(node: AstInstruction, keyword: string, stageIndex: number, index: number, text: string, span: SpanOf, escapeChar: string): Instruction {
  const instructionSpan = span(node.getRange());
  const instructionText = text.slice(instructionSpan.start.offset, instructionSpan.end.offset);
  const flags = mayHaveFlags(instructionText, escapeChar) ? readFlags(node, span) : [];
  const trigger = keyword === "ONBUILD" ? onbuildTrigger(node) : undefined;
  const effectiveKeyword = trigger ?? keyword;
  const bodyStart = bodyStartOffset(node, instructionSpan, flags, text, trigger);
  const rawBody = text.slice(bodyStart, instructionSpan.end.offset);
  const argumentText = joinContinuations(rawBody, escapeChar).trim();
  const base = {
    keyword: effectiveKeyword,
    span: instructionSpan,
    argumentText,
    args: splitWords(argumentText),
    flags,
    stageIndex,
    index,
    onbuild: trigger !== undefined,
  };

  switch (effectiveKeyword) {
    case "RUN": {
      const exec = parseExecForm(argumentText);
      const script = exec ? exec.join(" ") : argumentText;
      const heredocs = mayHaveHeredocs(instructionText, escapeChar) ? readHeredocs(node, text, span) : [];
      const shellSource = heredocs.length > 0 ? heredocs.map((heredoc) => heredoc.content).join("\n") : script;
      const run: RunInstruction = {
        ...base,
        keyword: "RUN",
        form: exec ? "exec" : "shell",
        mounts: flags.filter((flag) => flag.name === "mount").map((flag) => parseMount(flag.value ?? "")),
        script,
        shell: parseShell(exec ? execAsShell(exec) : shellSource),
        heredocs,
      };
      return run;
    }
    case "COPY":
    case "ADD": {
      const exec = parseExecForm(argumentText);
      const words = exec ?? base.args.filter((word) => !word.startsWith("<<"));
      const copy: CopyInstruction = {
        ...base,
        keyword: effectiveKeyword,
        sources: words.slice(0, -1),
        destination: words.at(-1) ?? "",
        heredocs: mayHaveHeredocs(instructionText, escapeChar) ? readHeredocs(node, text, span) : [],
      };
      const from = flags.find((flag) => flag.name === "from")?.value;
      const chown = flags.find((flag) => flag.name === "chown")?.value;
      if (from !== undefined) copy.from = from;
      if (chown !== undefined) copy.chown = chown;
      return copy;
    }
    case "CMD":
    case "ENTRYPOINT":
    case "HEALTHCHECK": {
      let body = argumentText;
      if (effectiveKeyword === "HEALTHCHECK") {
        if (/^none\b/i.test(body)) return { ...base, keyword: "HEALTHCHECK", form: "none", command: [] } satisfies CommandInstruction;
        body = body.replace(/^cmd\s+/i, "");
      }
      const exec = parseExecForm(body);
      const command: CommandInstruction = {
        ...base,
        keyword: effectiveKeyword,
        form: exec ? "exec" : "shell",
        command: exec ?? splitWords(body),
      };
      return command;
    }
    case "ARG": {
      // BuildKit accepts several declarations in one ARG (`ARG A B=2`); dockerfile-ast reads one.
      const pairs = splitWords(argumentText).map((word) => {
        const equals = word.indexOf("=");
        return equals < 0 ? { key: word, value: undefined } : { key: word.slice(0, equals), value: word.slice(equals + 1) };
      });
      return { ...base, keyword: effectiveKeyword, pairs } satisfies KeyValueInstruction;
    }
    case "ENV":
    case "LABEL": {
      const pairs = readPairs(node, effectiveKeyword);
      return { ...base, keyword: effectiveKeyword, pairs } satisfies KeyValueInstruction;
    }
    default:
      return { ...base } as OtherInstruction;
  }
}

// dockerfile-ast recomputes an instruction's arguments on every getFlags()/getHeredocs() call.
// A flag is an argument starting with `--` and a heredoc one starting with `<<`; an argument
// can only get those characters next to each other from the text as written or across a line
// continuation (`-\` newline `-`), so without either in the text the calls would return [].

function mayHaveFlags(instructionText: string, escapeChar: string): boolean {
  return instructionText.includes("--") || instructionText.includes(`-${escapeChar}`);
}

function mayHaveHeredocs(instructionText: string, escapeChar: string): boolean {
  return instructionText.includes("<<") || instructionText.includes(`<${escapeChar}`);
}

function onbuildTrigger(node: AstInstruction): string | undefined {
  const trigger = (node as unknown as { getTriggerInstruction?: () => AstInstruction | null }).getTriggerInstruction?.();
  return trigger ? trigger.getKeyword().toUpperCase() : undefined;
}

/** Offset where the instruction's arguments start, after keyword and flags. */
function bodyStartOffset(node: AstInstruction, instructionSpan: Span, flags: Flag[], text: string, trigger: string | undefined): number {
  let offset = instructionSpan.start.offset + node.getInstruction().length;
  if (trigger !== undefined) {
    const match = /^\s+\S+/.exec(text.slice(offset, instructionSpan.end.offset));
    if (match) offset += match[0].length;
  }
  const lastFlag = flags.at(-1);
  if (lastFlag) offset = Math.max(offset, lastFlag.span.end.offset);
  return offset;
}

function readFlags(node: AstInstruction, span: SpanOf): Flag[] {
  const getFlags = (node as unknown as { getFlags?: () => AstFlag[] }).getFlags;
  if (typeof getFlags !== "function") return [];
  return getFlags.call(node).map((flag) => ({
    name: flag.getName().toLowerCase(),
    value: flag.getValue() ?? undefined,
    span: span(flag.getRange()),
  }));
}

interface AstHeredoc {
  getName(): string;
  getContentRange(): { start: LspPosition; end: LspPosition } | null;
}

function readHeredocs(node: AstInstruction, text: string, span: SpanOf): Heredoc[] {
  const getHeredocs = (node as unknown as { getHeredocs?: () => AstHeredoc[] }).getHeredocs;
  if (typeof getHeredocs !== "function") return [];
  return getHeredocs.call(node).map((heredoc) => {
    const range = heredoc.getContentRange();
    const content = range ? text.slice(span(range).start.offset, span(range).end.offset) : "";
    return { name: heredoc.getName(), content };
  });
}

function readPairs(node: AstInstruction, keyword: string): { key: string; value: string | undefined }[] {
  const properties = (node as unknown as { getProperties?: () => { getName(): string; getValue(): string | null }[] }).getProperties?.() ?? [];
  return properties.map((property) => ({ key: keyword === "LABEL" ? property.getName() : property.getName(), value: property.getValue() ?? undefined }));
}

export function parseMount(value: string): Mount {
  const options: Record<string, string> = {};
  for (const part of value.split(",")) {
    const equals = part.indexOf("=");
    const key = (equals >= 0 ? part.slice(0, equals) : part).trim().toLowerCase();
    if (key) options[key] = equals >= 0 ? part.slice(equals + 1).trim() : "true";
  }
  const type = (options.type ?? "bind") as MountType;
  const mount: Mount = { type, options };
  const target = options.target ?? options.dst ?? options.destination;
  if (target !== undefined) mount.target = target;
  const source = options.source ?? options.src;
  if (source !== undefined) mount.source = source;
  if (options.from !== undefined) mount.from = options.from;
  if (options.id !== undefined) mount.id = options.id;
  if (options.sharing !== undefined) mount.sharing = options.sharing;
  return mount;
}

/** Docker's rule: valid JSON array of strings is exec form, anything else is shell form. */
export function parseExecForm(text: string): string[] | undefined {
  if (!text.startsWith("[")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value as string[];
  } catch {
    // Not JSON: Docker runs it through the shell.
  }
  return undefined;
}

/** `["sh","-c","a && b"]` is a script; `["npm","ci"]` is one command. */
function execAsShell(argv: string[]): string {
  const head = argv[0]?.split("/").pop() ?? "";
  if (["sh", "bash", "dash", "ash"].includes(head) && argv[1] === "-c" && argv[2] !== undefined) return argv[2];
  return argv.map(shellQuote).join(" ");
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Removes line continuations and the comment lines Docker drops inside them. */
export function joinContinuations(raw: string, escapeChar: string): string {
  if (!raw.includes("\n")) return raw;
  const lines = raw.split(/\r?\n/);
  const kept: string[] = [];
  lines.forEach((line, index) => {
    if (index > 0 && /^\s*#/.test(line)) return;
    kept.push(line);
  });
  let result = "";
  for (let index = 0; index < kept.length; index++) {
    const line = kept[index] ?? "";
    const trimmed = line.trimEnd();
    if (trimmed.endsWith(escapeChar) && index < kept.length - 1) result += trimmed.slice(0, -1) + " ";
    else result += line + (index < kept.length - 1 ? "\n" : "");
  }
  return result;
}

/** Whitespace split that keeps quoted strings together and removes the quotes. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = "";
  let quote: string | undefined;
  let inWord = false;
  // Plain runs are copied with one slice rather than character by character.
  let runStart = -1;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (quote) {
      if (text[index] === quote) quote = undefined;
      else if (code === 92 && quote === '"' && index + 1 < text.length) current += text[++index];
      else current += text[index];
    } else if (code === 34 || code === 39) {
      if (runStart >= 0) current += text.slice(runStart, index);
      runStart = -1;
      quote = text[index];
      inWord = true;
    } else if (isWhitespace(code, text, index)) {
      if (runStart >= 0) current += text.slice(runStart, index);
      runStart = -1;
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      if (runStart < 0) runStart = index;
      inWord = true;
    }
  }
  if (runStart >= 0) current += text.slice(runStart);
  if (inWord) words.push(current);
  return words;
}

/** `/\s/` on one character, without a regular expression for ASCII. */
function isWhitespace(code: number, text: string, index: number): boolean {
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return /\s/.test(text[index] ?? "");
}

export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) === 10) starts.push(index + 1);
  }
  return starts;
}
