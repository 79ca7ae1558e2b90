// Parses RUN bodies into a flat list of simple commands, so rules can ask "which apt-get
// install calls, with which flags" without re-tokenising shell text themselves. Simple
// scripts (most RUN bodies) are read by simple-shell.ts; everything else by mvdan/sh (the
// parser behind shfmt). Both give the same result where the simple reader answers.
import { createRequire } from "node:module";
import type { ShNode, ShParser, ShSyntax } from "mvdan-sh";
import type { ShellCommand, ShellScript } from "./model.ts";
import { parseSimpleShell } from "./simple-shell.ts";
import type { SimplePipeline } from "./simple-shell.ts";

// mvdan-sh is a 1.5 MB GopherJS build that takes ~0.1 s of CPU to load: it is loaded on the first
// script the simple reader cannot read, not at start-up (`shipshape --version` never needs it).
let loaded: { syntax: ShSyntax; parser: ShParser } | undefined;

function mvdanSh(): { syntax: ShSyntax; parser: ShParser } {
  if (loaded === undefined) {
    const { syntax } = createRequire(import.meta.url)("mvdan-sh") as { syntax: ShSyntax };
    loaded = { syntax, parser: syntax.NewParser(syntax.KeepComments(false), syntax.Variant(syntax.LangBash)) };
  }
  return loaded;
}

// mvdan/sh token values for the binary operators we care about.
const OP_PIPE = 12;
const OP_PIPE_ALL = 13;

/** Commands that run their arguments as another command. */
const WRAPPERS = new Set(["sudo", "env", "exec", "nohup", "command", "nice", "stdbuf", "timeout", "xvfb-run", "su-exec", "gosu", "tini"]);
const SHELLS = new Set(["sh", "bash", "dash", "ash", "zsh"]);

interface WalkState {
  source: string;
  commands: ShellCommand[];
  nextPipeline: number;
  viaShellString: boolean;
  depth: number;
  /** Whether simple scripts may skip mvdan-sh (false only for the reference path tests compare against). */
  simpleReader: boolean;
  /** Whether the source has `$(` or a backtick, the only ways a word can hold a command substitution. */
  hasSubstitutions: boolean;
}

export function parseShell(source: string): ShellScript {
  return parseShellWith(source, true);
}

/**
 * parseShell without the simple reader: every script, and every `sh -c` string inside it, goes
 * through mvdan-sh. The reference the simple reader is tested against; not for production use.
 */
export function parseShellWithMvdan(source: string): ShellScript {
  return parseShellWith(source, false);
}

function parseShellWith(source: string, simpleReader: boolean): ShellScript {
  const state: WalkState = { source, commands: [], nextPipeline: 0, viaShellString: false, depth: 0, simpleReader, hasSubstitutions: mayHaveSubstitutions(source) };
  let parseError: string | undefined;
  if (!(simpleReader && walkSimple(state))) {
    try {
      const file = mvdanSh().parser.Parse(source, "");
      walkStatements(file.Stmts, state);
    } catch (error) {
      parseError = shellErrorMessage(error);
      state.commands = fallbackSplit(source, state);
    }
  }
  const script: ShellScript = { source, commands: state.commands, setsPipefail: detectPipefail(state.commands) };
  if (parseError !== undefined) script.parseError = parseError;
  return script;
}

function mayHaveSubstitutions(source: string): boolean {
  return source.includes("$(") || source.includes("`");
}

/**
 * Adds the commands of a script simple-shell.ts can read, in the order and with the pipeline
 * numbers the mvdan-sh walk below gives them; false (nothing added) when it cannot read it.
 */
function walkSimple(state: WalkState): boolean {
  const pipelines = parseSimpleShell(state.source);
  if (pipelines === undefined) return false;
  addSimplePipelines(pipelines, state);
  return true;
}

function addSimplePipelines(pipelines: SimplePipeline[], state: WalkState): void {
  for (const members of pipelines) {
    // As in walkCommand: a pipeline of two or more gets its id before its members are walked.
    const slot: PipelineSlot | undefined = members.length > 1 ? { id: state.nextPipeline++, members: [] } : undefined;
    for (const member of members) {
      if (member.kind === "compound") {
        addSimplePipelines(member.body, state);
      } else if (member.kind === "command") {
        // As in addCall: command substitutions first.
        addSimplePipelines(member.substitutions, state);
        const command = makeCommand(member.words, member.assignments, state.source.slice(member.start, member.end), state.viaShellString);
        addCommand(command, state, slot);
      }
    }
    if (slot) finishPipeline(slot);
  }
}

function shellErrorMessage(error: unknown): string {
  if (error && typeof error === "object" && "Error" in error && typeof (error as { Error: unknown }).Error === "function") {
    return String((error as { Error: () => string }).Error());
  }
  return error instanceof Error ? error.message : String(error);
}

function walkStatements(statements: ShNode[] | null | undefined, state: WalkState): void {
  if (!statements) return;
  for (const statement of statements) walkStatement(statement, state);
}

function walkStatement(statement: ShNode | null | undefined, state: WalkState): void {
  // Every property read on a GopherJS node converts Go values to JS again: read each once.
  const command = statement?.Cmd;
  if (command) walkCommand(command, state, undefined);
}

interface PipelineSlot {
  id: number;
  members: ShellCommand[];
}

function walkCommand(node: ShNode, state: WalkState, pipeline: PipelineSlot | undefined): void {
  switch (mvdanSh().syntax.NodeType(node)) {
    case "CallExpr":
      addCall(node, state, pipeline);
      return;
    case "BinaryCmd": {
      const op = node.Op as number;
      if (op === OP_PIPE || op === OP_PIPE_ALL) {
        const slot = pipeline ?? { id: state.nextPipeline++, members: [] };
        walkCommandOf(node.X, state, slot);
        walkCommandOf(node.Y, state, slot);
        if (!pipeline) finishPipeline(slot);
      } else {
        walkStatement(node.X, state);
        walkStatement(node.Y, state);
      }
      return;
    }
    case "Subshell":
    case "Block":
      walkStatements(node.Stmts, state);
      return;
    case "IfClause":
      walkIf(node, state);
      return;
    case "WhileClause":
      walkStatements(node.Cond, state);
      walkStatements(node.Do, state);
      return;
    case "ForClause":
      walkStatements(node.Do, state);
      return;
    case "CaseClause":
      for (const item of node.Items ?? []) walkStatements(item.Stmts, state);
      return;
    case "FuncDecl":
      walkStatement(node.Body, state);
      return;
    case "TimeClause":
      walkStatement(node.Stmt, state);
      return;
    default:
      // DeclClause, TestClause, ArithmCmd, LetClause: no external command runs.
      return;
  }
}

function walkCommandOf(statement: ShNode | null | undefined, state: WalkState, pipeline: PipelineSlot): void {
  const command = statement?.Cmd;
  if (command) walkCommand(command, state, pipeline);
}

function walkIf(node: ShNode, state: WalkState): void {
  walkStatements(node.Cond, state);
  walkStatements(node.Then, state);
  const otherwise = node.Else;
  if (otherwise) walkIf(otherwise, state);
}

function finishPipeline(slot: PipelineSlot): void {
  slot.members.forEach((command, index) => {
    command.pipelineIndex = index;
    command.pipelineLength = slot.members.length;
  });
}

function addCall(node: ShNode, state: WalkState, pipeline: PipelineSlot | undefined): void {
  const args: ShNode[] = node.Args ?? [];
  const assigns: ShNode[] = node.Assigns ?? [];
  const words: string[] = args.map((word) => wordText(word, state.source));
  const assignments: string[] = assigns.map((assign) => sliceOf(assign, state.source));
  // Command substitutions run commands too: `$(go env GOCACHE)`.
  if (state.hasSubstitutions) {
    for (const assign of assigns) {
      const value = assign.Value;
      if (value) walkSubstitutions(value, state);
    }
    for (const word of args) walkSubstitutions(word, state);
  }
  const text = sliceOf(node, state.source);
  addCommand(makeCommand(words, assignments, text, state.viaShellString), state, pipeline);
}

function addCommand(command: ShellCommand, state: WalkState, pipeline: PipelineSlot | undefined): void {
  command.pipeline = pipeline ? pipeline.id : state.nextPipeline++;
  if (pipeline) pipeline.members.push(command);
  state.commands.push(command);
  reparseShellString(command, state);
}

function walkSubstitutions(word: ShNode, state: WalkState): void {
  for (const part of word.Parts ?? []) {
    const type = mvdanSh().syntax.NodeType(part);
    if (type === "CmdSubst") walkStatements(part.Stmts, state);
    else if (type === "DblQuoted") walkSubstitutions(part, state);
  }
}

/** `sh -c 'a && b'`: the string is a script of its own; parse it once more. */
function reparseShellString(command: ShellCommand, state: WalkState): void {
  if (!SHELLS.has(command.name) || state.depth > 3) return;
  const flagIndex = command.args.findIndex((arg) => /^-[a-bd-z]*c[a-z]*$/.test(arg));
  const script = flagIndex >= 0 ? command.args[flagIndex + 1] : undefined;
  if (script === undefined) return;
  const inner = parseShellInto(script, state);
  if (inner !== undefined) state.commands.push(...inner);
}

function parseShellInto(script: string, outer: WalkState): ShellCommand[] | undefined {
  const state: WalkState = {
    source: script,
    commands: [],
    nextPipeline: outer.nextPipeline,
    viaShellString: true,
    depth: outer.depth + 1,
    simpleReader: outer.simpleReader,
    hasSubstitutions: mayHaveSubstitutions(script),
  };
  if (!(state.simpleReader && walkSimple(state))) {
    try {
      walkStatements(mvdanSh().parser.Parse(script, "").Stmts, state);
    } catch {
      return undefined;
    }
  }
  outer.nextPipeline = state.nextPipeline;
  return state.commands;
}

export function makeCommand(words: string[], assignments: string[], text: string, viaShellString: boolean): ShellCommand {
  let rest = words;
  let sudo = false;
  const extraAssignments: string[] = [];
  // Unwrap sudo/env/exec & co. to find the command that really runs.
  for (let guard = 0; guard < 5 && rest.length > 0; guard++) {
    const head = basename(rest[0] ?? "");
    if (!WRAPPERS.has(head)) break;
    if (head === "sudo") sudo = true;
    rest = rest.slice(1);
    while (rest.length > 0) {
      const word = rest[0] ?? "";
      if (head === "sudo" && (word === "-u" || word === "-g")) rest = rest.slice(2);
      else if (head === "timeout" && /^\d/.test(word)) rest = rest.slice(1);
      else if (word.startsWith("-")) rest = rest.slice(1);
      else if (head === "env" && /^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) {
        extraAssignments.push(word);
        rest = rest.slice(1);
      } else break;
    }
  }
  const name = rest.length > 0 ? basename(rest[0] ?? "") : "";
  return {
    argv: words,
    name,
    args: rest.slice(1),
    assignments: [...assignments, ...extraAssignments],
    pipeline: 0,
    pipelineIndex: 0,
    pipelineLength: 1,
    viaShellString,
    sudo,
    text,
  };
}

function basename(word: string): string {
  const slash = word.lastIndexOf("/");
  return slash >= 0 ? word.slice(slash + 1) : word;
}

function sliceOf(node: ShNode, source: string): string {
  return source.slice(node.Pos().Offset(), node.End().Offset());
}

/** The word's value where it is literal (quotes removed); expansions kept as written. */
function wordText(word: ShNode, source: string): string {
  const parts: ShNode[] = word.Parts ?? [];
  // Most words are one literal.
  if (parts.length === 1 && mvdanSh().syntax.NodeType(parts[0] as ShNode) === "Lit") return unescapeLiteral((parts[0] as ShNode).Value as string);
  let text = "";
  for (const part of parts) {
    switch (mvdanSh().syntax.NodeType(part)) {
      case "Lit":
        text += unescapeLiteral(part.Value as string);
        break;
      case "SglQuoted":
        text += part.Value as string;
        break;
      case "DblQuoted":
        for (const inner of (part.Parts ?? []) as ShNode[]) {
          text += mvdanSh().syntax.NodeType(inner) === "Lit" ? (inner.Value as string) : sliceOf(inner, source);
        }
        break;
      default:
        text += sliceOf(part, source);
    }
  }
  return text;
}

function unescapeLiteral(value: string): string {
  return value.includes("\\") ? value.replace(/\\\n/g, "").replace(/\\(.)/g, "$1") : value;
}

function detectPipefail(commands: ShellCommand[]): boolean {
  return commands.some(
    (command) =>
      command.name === "set" &&
      (command.args.some((arg, index) => arg === "pipefail" && command.args[index - 1] === "-o") ||
        command.args.some((arg) => /^-[a-z]*o$/.test(arg)) && command.args.includes("pipefail")),
  );
}

/** When the shell parser gives up (broken quoting), still find the obvious commands. */
function fallbackSplit(source: string, state: WalkState): ShellCommand[] {
  const commands: ShellCommand[] = [];
  for (const segment of source.split(/&&|\|\||;|\n/)) {
    const pieces = segment.split("|");
    const id = state.nextPipeline++;
    pieces.forEach((piece, index) => {
      const words = piece.trim().split(/\s+/).filter(Boolean);
      if (words.length === 0) return;
      const command = makeCommand(words, [], piece.trim(), state.viaShellString);
      command.pipeline = id;
      command.pipelineIndex = index;
      command.pipelineLength = pieces.length;
      commands.push(command);
    });
  }
  return commands;
}
