// A plain-JS reader for the shell scripts RUN bodies nearly always are: simple commands joined
// by `&&`, `||`, `;`, newlines and `|`, with quoting, `$VAR`/`${VAR}`, `$(...)`, redirections,
// `if`/`for`/`while`/`until`, `{ ...; }` and `( ... )`. Walking mvdan-sh's (GopherJS) syntax
// tree costs about a millisecond per Dockerfile; this reader is far cheaper. It answers
// `undefined` for anything it does not model (backticks, arithmetic, heredocs, `case`,
// functions, `[[`, comments, non-ASCII text, anything mvdan-sh might reject), and parseShell then
// takes the mvdan-sh path. Where it answers, shell.ts must end up with exactly what its mvdan-sh
// walk gives: test/dockerfile/simple-shell.test.ts compares both.

/** One simple command: words as wordText() in shell.ts spells them, assignments as written. */
export interface SimpleCommand {
  kind: "command";
  words: string[];
  assignments: string[];
  /** Offsets of the command in the source (first word or assignment to the end of the last). */
  start: number;
  end: number;
  /** The `$(...)` of its assignments and words, in order: they run (and are listed) before it. */
  substitutions: SimplePipeline[];
}

/** `if`, `while`/`until`, `for`, `{ ... }` and `( ... )`: only the commands inside count. */
export interface CompoundCommand {
  kind: "compound";
  /** In source order; for `for`, the loop body only (mvdan-sh's walk skips the word list). */
  body: SimplePipeline[];
}

/** `export`/`declare`/`local`/...: mvdan-sh reads these as a DeclClause, which the walk skips. */
export interface DeclarationCommand {
  kind: "declaration";
}

export type PipelineMember = SimpleCommand | CompoundCommand | DeclarationCommand;

/** Members joined by `|`; a lone command is a pipeline of one. `&&`, `||`, `;` and newlines separate pipelines. */
export type SimplePipeline = PipelineMember[];

/** Words that mvdan-sh reads as syntax (or as builtins with their own node) in command position. */
const RESERVED = new Set([
  "{", "}", "!", "[[", "]]", "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done",
  "case", "esac", "in", "select", "function", "coproc", "time", "let", "@test",
]);

/** Builtins mvdan-sh parses as a DeclClause, which the walk in shell.ts skips. */
const DECLARATIONS = new Set(["declare", "local", "export", "readonly", "typeset", "nameref"]);

const THEN = new Set(["then"]);
const ELSE_ELIF_FI = new Set(["else", "elif", "fi"]);
const FI = new Set(["fi"]);
const DO = new Set(["do"]);
const DONE = new Set(["done"]);
const CLOSE_BLOCK = new Set(["}"]);

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;
const DECLARATION_WORD = /^(-[A-Za-z]+|[A-Za-z_][A-Za-z0-9_]*)$/;

const SPACE = 32;
const TAB = 9;
const NEWLINE = 10;
const BACKSLASH = 92;
const SINGLE_QUOTE = 39;
const DOUBLE_QUOTE = 34;
const DOLLAR = 36;
const BACKTICK = 96;
const SEMICOLON = 59;
const PIPE = 124;
const AMPERSAND = 38;
const LESS = 60;
const GREATER = 62;
const OPEN_PAREN = 40;
const CLOSE_PAREN = 41;
const HASH = 35;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/** Thrown (and caught in parseSimpleShell) when the script needs the real parser. */
class NotSimple extends Error {}
const NOT_SIMPLE = new NotSimple("not a simple script");

function isNameStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function isNameChar(code: number): boolean {
  return isNameStart(code) || (code >= 48 && code <= 57);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** `$@ $* $# $? $$ $! $-`. */
function isSpecialParameter(code: number): boolean {
  return code === 64 || code === 42 || code === 35 || code === 63 || code === DOLLAR || code === 33 || code === 45;
}

/** Characters that end a word outside quotes. */
function endsWord(code: number): boolean {
  return (
    code === SPACE || code === TAB || code === NEWLINE || code === SEMICOLON || code === PIPE || code === AMPERSAND ||
    code === LESS || code === GREATER || code === OPEN_PAREN || code === CLOSE_PAREN
  );
}

/** What may follow `fi`, `done`, `}` and `)` directly. */
function isAfterCloser(code: number): boolean {
  return code === -1 || code === SPACE || code === TAB || code === NEWLINE || code === SEMICOLON || code === PIPE || code === AMPERSAND || code === CLOSE_PAREN;
}

/** Printable ASCII plus tab and newline. mvdan-sh reports byte offsets, so non-ASCII goes the slow way. */
function isPlainCharacter(code: number): boolean {
  return (code >= 32 && code < 127) || code === TAB || code === NEWLINE;
}

/** Characters allowed in the word of `${NAME:-word}` and `${NAME%pattern}`. */
function isParameterOperandChar(code: number): boolean {
  return isNameChar(code) || code === 46 || code === 47 || code === 58 || code === 64 || code === 43 || code === 44 || code === 61 || code === 126 || code === 45 || code === 42;
}

class Reader {
  readonly source: string;
  index = 0;

  constructor(source: string) {
    this.source = source;
  }

  code(offset = 0): number {
    const index = this.index + offset;
    return index < this.source.length ? this.source.charCodeAt(index) : -1;
  }

  skipBlanks(): void {
    let code = this.code();
    while (code === SPACE || code === TAB) {
      this.index++;
      code = this.code();
    }
  }

  skipBlanksAndNewlines(): void {
    let code = this.code();
    while (code === SPACE || code === TAB || code === NEWLINE) {
      this.index++;
      code = this.code();
    }
  }

  /** The raw word at the reader's position (up to a blank or operator), without moving. */
  peekWord(): string {
    const source = this.source;
    let index = this.index;
    while (index < source.length && !endsWord(source.charCodeAt(index))) index++;
    return source.slice(this.index, index);
  }

  /** Moves past `keyword`, which must be next; openers (`then`, `do`, ...) must be followed by a blank. */
  expectKeyword(keyword: string, opener: boolean): void {
    if (this.peekWord() !== keyword) throw NOT_SIMPLE;
    this.index += keyword.length;
    const next = this.code();
    if (opener ? next !== SPACE && next !== TAB && next !== NEWLINE : !isAfterCloser(next)) throw NOT_SIMPLE;
  }

  /**
   * Statements separated by `;` or newlines, up to the end of the source (`closers` undefined and
   * `closeParen` false), up to a `)` (left unread), or up to one of the `closers` keywords in
   * command position (left unread).
   */
  list(closers: ReadonlySet<string> | undefined, closeParen: boolean): SimplePipeline[] {
    const pipelines: SimplePipeline[] = [];
    for (;;) {
      this.skipBlanksAndNewlines();
      const code = this.code();
      if (code === -1) {
        if (closers || closeParen) throw NOT_SIMPLE;
        return pipelines;
      }
      if (code === CLOSE_PAREN) {
        if (closeParen) return pipelines;
        throw NOT_SIMPLE;
      }
      if (closers?.has(this.peekWord())) return pipelines;
      this.andOr(pipelines);
      this.skipBlanks();
      const next = this.code();
      // `;` must follow a statement (a second `;` is a syntax error, `;;` belongs to `case`).
      if (next === SEMICOLON || next === NEWLINE) this.index++;
      else if (next !== -1 && next !== CLOSE_PAREN) throw NOT_SIMPLE;
    }
  }

  /** A list that must hold at least one statement (the body of `if`, `while`, ...). */
  nonEmptyList(closers: ReadonlySet<string> | undefined, closeParen: boolean): SimplePipeline[] {
    const pipelines = this.list(closers, closeParen);
    if (pipelines.length === 0) throw NOT_SIMPLE;
    return pipelines;
  }

  /** Pipelines joined by `&&` / `||`. */
  andOr(pipelines: SimplePipeline[]): void {
    for (;;) {
      pipelines.push(this.pipeline());
      this.skipBlanks();
      const code = this.code();
      if ((code === AMPERSAND && this.code(1) === AMPERSAND) || (code === PIPE && this.code(1) === PIPE)) {
        this.index += 2;
        this.skipBlanksAndNewlines();
        continue;
      }
      return;
    }
  }

  /** Commands joined by `|`. */
  pipeline(): SimplePipeline {
    const members: SimplePipeline = [];
    for (;;) {
      members.push(this.command());
      this.skipBlanks();
      if (this.code() === PIPE && this.code(1) !== PIPE) {
        if (this.code(1) === AMPERSAND) throw NOT_SIMPLE;
        this.index++;
        this.skipBlanksAndNewlines();
        continue;
      }
      return members;
    }
  }

  /** One pipeline member: a compound command or a simple command. */
  command(): PipelineMember {
    this.skipBlanks();
    if (this.code() === OPEN_PAREN) {
      // `((` is an arithmetic command.
      if (this.code(1) === OPEN_PAREN) throw NOT_SIMPLE;
      this.index++;
      const body = this.nonEmptyList(undefined, true);
      this.index++;
      if (!isAfterCloser(this.code())) throw NOT_SIMPLE;
      return this.afterCompound(body);
    }
    switch (this.peekWord()) {
      case "if":
        return this.afterCompound(this.ifClause());
      case "while":
      case "until":
        return this.afterCompound(this.whileClause());
      case "for":
        return this.afterCompound(this.forClause());
      case "{": {
        this.expectKeyword("{", true);
        const body = this.nonEmptyList(CLOSE_BLOCK, false);
        this.expectKeyword("}", false);
        return this.afterCompound(body);
      }
      default:
        return this.simpleCommand();
    }
  }

  /** `if list; then list; [elif list; then list;]... [else list;] fi`: every list, in order. */
  ifClause(): SimplePipeline[] {
    this.expectKeyword("if", true);
    const body = this.nonEmptyList(THEN, false);
    this.expectKeyword("then", true);
    body.push(...this.nonEmptyList(ELSE_ELIF_FI, false));
    for (;;) {
      const word = this.peekWord();
      if (word === "elif") {
        this.expectKeyword("elif", true);
        body.push(...this.nonEmptyList(THEN, false));
        this.expectKeyword("then", true);
        body.push(...this.nonEmptyList(ELSE_ELIF_FI, false));
        continue;
      }
      if (word === "else") {
        this.expectKeyword("else", true);
        body.push(...this.nonEmptyList(FI, false));
      }
      this.expectKeyword("fi", false);
      return body;
    }
  }

  /** `while list; do list; done` (and `until`): condition and body, in order. */
  whileClause(): SimplePipeline[] {
    this.expectKeyword(this.peekWord(), true);
    const body = this.nonEmptyList(DO, false);
    this.expectKeyword("do", true);
    body.push(...this.nonEmptyList(DONE, false));
    this.expectKeyword("done", false);
    return body;
  }

  /** `for NAME in words; do list; done`: the body only, as mvdan-sh's walk does. */
  forClause(): SimplePipeline[] {
    this.expectKeyword("for", true);
    this.skipBlanks();
    if (!isNameStart(this.code())) throw NOT_SIMPLE;
    while (isNameChar(this.code())) this.index++;
    if (this.code() !== SPACE && this.code() !== TAB) throw NOT_SIMPLE;
    this.skipBlanks();
    this.expectKeyword("in", true);
    let words = 0;
    for (;;) {
      this.skipBlanks();
      const code = this.code();
      if (code === SEMICOLON || code === NEWLINE) break;
      if (code === -1 || endsWord(code)) throw NOT_SIMPLE;
      // The word list's expansions are not walked.
      this.word([]);
      words++;
    }
    if (words === 0) throw NOT_SIMPLE;
    this.index++;
    this.skipBlanksAndNewlines();
    this.expectKeyword("do", true);
    const body = this.nonEmptyList(DONE, false);
    this.expectKeyword("done", false);
    return body;
  }

  /** Redirections after a compound command (`done > log 2>&1`), then the end of the statement. */
  afterCompound(body: SimplePipeline[]): CompoundCommand {
    for (;;) {
      this.skipBlanks();
      const code = this.code();
      if (code === LESS || code === GREATER) {
        this.redirection();
        continue;
      }
      if (isDigit(code)) {
        // `done 2>/dev/null`: a file descriptor, then the redirection.
        while (isDigit(this.code())) this.index++;
        if (this.code() !== LESS && this.code() !== GREATER) throw NOT_SIMPLE;
        this.redirection();
        continue;
      }
      if (code === -1 || code === NEWLINE || code === SEMICOLON || code === PIPE || code === AMPERSAND || code === CLOSE_PAREN) return { kind: "compound", body };
      throw NOT_SIMPLE;
    }
  }

  /** A simple command, or a declaration builtin. */
  simpleCommand(): SimpleCommand | DeclarationCommand {
    const words: string[] = [];
    const assignments: string[] = [];
    const substitutions: SimplePipeline[] = [];
    let start = -1;
    let end = -1;
    let declaration = false;
    let redirected = false;
    for (;;) {
      this.skipBlanks();
      const code = this.code();
      if (code === -1 || code === NEWLINE || code === SEMICOLON || code === PIPE || code === AMPERSAND || code === CLOSE_PAREN) break;
      if (code === LESS || code === GREATER) {
        this.redirection();
        redirected = true;
        continue;
      }
      // `(` after words: a function declaration or an extended glob.
      if (code === OPEN_PAREN) throw NOT_SIMPLE;
      const wordStart = this.index;
      // A declaration's expansions are not walked. (Digits before a redirection have none.)
      const text = this.word(declaration ? [] : substitutions);
      const wordEnd = this.index;
      const next = this.code();
      if (next === LESS || next === GREATER) {
        // `2>&1`: digits right before a redirection are its file descriptor, not a word.
        if (!/^\d+$/.test(this.source.slice(wordStart, wordEnd))) throw NOT_SIMPLE;
        this.redirection();
        redirected = true;
        continue;
      }
      const raw = this.source.slice(wordStart, wordEnd);
      if (declaration) {
        // mvdan-sh reads declaration arguments as assignments and rejects some words as invalid
        // names; only names, flags and `NAME=value` are simple. Their expansions are not walked.
        if (!(DECLARATION_WORD.test(raw) || (ASSIGNMENT.test(raw) && !raw.endsWith("=")))) throw NOT_SIMPLE;
        continue;
      }
      if (words.length === 0 && ASSIGNMENT.test(raw)) {
        assignments.push(raw);
      } else {
        if (words.length === 0) {
          // mvdan-sh reads `name[...` in command position as an array element assignment.
          if ((raw.includes("[") && raw !== "[") || RESERVED.has(raw)) throw NOT_SIMPLE;
          if (assignments.length === 0 && DECLARATIONS.has(raw) && !redirected) {
            declaration = true;
            continue;
          }
        }
        words.push(text);
      }
      if (start < 0) start = wordStart;
      end = wordEnd;
    }
    if (declaration) {
      if (redirected) throw NOT_SIMPLE;
      return { kind: "declaration" };
    }
    if (start < 0 || (redirected && words.length === 0)) throw NOT_SIMPLE;
    return { kind: "command", words, assignments, start, end, substitutions };
  }

  /** `>`, `>>`, `<`, `>&`, `<&`, `>|`, `<>` and their target word; heredocs and process substitution are not simple. */
  redirection(): void {
    const code = this.code();
    const next = this.code(1);
    if (code === GREATER) this.index += next === GREATER || next === AMPERSAND || next === PIPE ? 2 : 1;
    else if (next === LESS || next === OPEN_PAREN) throw NOT_SIMPLE;
    else this.index += next === AMPERSAND || next === GREATER ? 2 : 1;
    if (this.code() === OPEN_PAREN) throw NOT_SIMPLE;
    this.skipBlanks();
    const start = this.index;
    // Redirection targets are not walked: their command substitutions do not count.
    this.word([]);
    if (this.index === start) throw NOT_SIMPLE;
    const after = this.code();
    if (after === LESS || after === GREATER) throw NOT_SIMPLE;
  }

  /**
   * One word, spelt as shell.ts's wordText() spells mvdan-sh's word parts (quotes removed from
   * literal parts, expansions as written). Its `$(...)` go to `substitutions`.
   */
  word(substitutions: SimplePipeline[]): string {
    const source = this.source;
    let text = "";
    for (;;) {
      const code = this.code();
      if (code === -1 || endsWord(code)) return text;
      if (!isPlainCharacter(code)) throw NOT_SIMPLE;
      if (code === BACKSLASH) {
        const escaped = this.code(1);
        if (escaped === -1 || escaped === NEWLINE || !isPlainCharacter(escaped)) throw NOT_SIMPLE;
        text += source[this.index + 1];
        this.index += 2;
      } else if (code === SINGLE_QUOTE) {
        const close = source.indexOf("'", this.index + 1);
        if (close < 0) throw NOT_SIMPLE;
        const content = source.slice(this.index + 1, close);
        for (let index = 0; index < content.length; index++) if (!isPlainCharacter(content.charCodeAt(index))) throw NOT_SIMPLE;
        text += content;
        this.index = close + 1;
      } else if (code === DOUBLE_QUOTE) {
        text += this.doubleQuoted(substitutions);
      } else if (code === DOLLAR) {
        const start = this.index;
        this.expansion(substitutions);
        text += source.slice(start, this.index);
      } else if (code === BACKTICK) {
        throw NOT_SIMPLE;
      } else {
        // A run of plain literal characters. After a quote, an expansion or an escape mvdan-sh
        // reads `#` as the start of a comment; inside a run it is a literal character.
        if (code === HASH) throw NOT_SIMPLE;
        const start = this.index;
        let index = start + 1;
        for (; index < source.length; index++) {
          const next = source.charCodeAt(index);
          if (endsWord(next) || next === BACKSLASH || next === SINGLE_QUOTE || next === DOUBLE_QUOTE || next === DOLLAR || next === BACKTICK || !isPlainCharacter(next)) break;
        }
        text += source.slice(start, index);
        this.index = index;
      }
    }
  }

  /** `"..."`: mvdan-sh keeps its literal parts and expansions as written, so the value is the raw content. */
  doubleQuoted(substitutions: SimplePipeline[]): string {
    const source = this.source;
    const start = this.index + 1;
    this.index = start;
    for (;;) {
      const code = this.code();
      if (code === -1) throw NOT_SIMPLE;
      if (code === DOUBLE_QUOTE) {
        this.index++;
        return source.slice(start, this.index - 1);
      }
      if (!isPlainCharacter(code) || code === BACKTICK) throw NOT_SIMPLE;
      if (code === BACKSLASH) {
        const escaped = this.code(1);
        if (escaped === -1 || escaped === NEWLINE || !isPlainCharacter(escaped)) throw NOT_SIMPLE;
        this.index += 2;
      } else if (code === DOLLAR) {
        this.expansion(substitutions);
      } else {
        this.index++;
      }
    }
  }

  /**
   * `$(commands)`, `$NAME`, `$1`, `$@`, `${NAME}`, `${NAME:-word}`, `${#NAME}`, `${NAME%pattern}`;
   * anything else (arithmetic, `$'...'`, other `${...}` forms) is not simple.
   */
  expansion(substitutions: SimplePipeline[]): void {
    const next = this.code(1);
    if (next === OPEN_PAREN) {
      if (this.code(2) === OPEN_PAREN) throw NOT_SIMPLE;
      this.index += 2;
      for (const pipeline of this.nonEmptyList(undefined, true)) substitutions.push(pipeline);
      this.index++;
      return;
    }
    if (isNameStart(next)) {
      this.index += 2;
      while (isNameChar(this.code())) this.index++;
      return;
    }
    if (isDigit(next) || isSpecialParameter(next)) {
      this.index += 2;
      return;
    }
    if (next !== OPEN_BRACE) throw NOT_SIMPLE;
    this.index += 2;
    if (this.code() === HASH && isNameStart(this.code(1))) this.index++;
    if (!isNameStart(this.code())) throw NOT_SIMPLE;
    while (isNameChar(this.code())) this.index++;
    if (this.code() === CLOSE_BRACE) {
      this.index++;
      return;
    }
    this.parameterOperator();
    while (isParameterOperandChar(this.code())) this.index++;
    if (this.code() !== CLOSE_BRACE) throw NOT_SIMPLE;
    this.index++;
  }

  /** `:-`, `-`, `:=`, `=`, `:+`, `+`, `:?`, `?`, `%`, `%%`, `#`, `##`. */
  parameterOperator(): void {
    const code = this.code();
    if (code === 58) {
      const next = this.code(1);
      if (next === 45 || next === 61 || next === 43 || next === 63) this.index += 2;
      else throw NOT_SIMPLE;
    } else if (code === 45 || code === 61 || code === 43 || code === 63) {
      this.index++;
    } else if (code === 37 || code === HASH) {
      this.index += this.code(1) === code ? 2 : 1;
    } else {
      throw NOT_SIMPLE;
    }
  }
}

/**
 * The pipelines of a simple script in order, or undefined when the script has anything this
 * reader does not model and must go through mvdan-sh.
 */
export function parseSimpleShell(source: string): SimplePipeline[] | undefined {
  try {
    return new Reader(source).list(undefined, false);
  } catch (error) {
    if (error === NOT_SIMPLE) return undefined;
    throw error;
  }
}
