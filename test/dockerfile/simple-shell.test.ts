// The plain-JS reader (src/dockerfile/simple-shell.ts) must give exactly what the mvdan-sh walk
// gives wherever it answers: parseShell (reader first) is compared with parseShellWithMvdan
// (mvdan-sh only, also for `sh -c` strings) on every RUN body of a generated benchmark corpus,
// on the Dockerfile snippets of the tests, docs and examples, on targeted cases and on
// generated scripts. The reader must also really answer for the common bodies.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createRandom, generateCorpus } from "../../bench/corpus.ts";
import type { ShellScript } from "../../src/dockerfile/model.ts";
import { parseDockerfile } from "../../src/dockerfile/parse.ts";
import { parseShell, parseShellWithMvdan } from "../../src/dockerfile/shell.ts";
import { parseSimpleShell } from "../../src/dockerfile/simple-shell.ts";

const ROOT = path.join(import.meta.dirname, "..", "..");

/** Shell sources parseDockerfile hands to parseShell: RUN bodies, and shell-form CMD/ENTRYPOINT as startupCommands does. */
function shellSources(text: string): string[] {
  const model = parseDockerfile(text);
  const sources: string[] = [];
  for (const instruction of model.instructions) {
    if (instruction.keyword === "RUN" && "shell" in instruction) sources.push(instruction.shell.source);
    if ((instruction.keyword === "CMD" || instruction.keyword === "ENTRYPOINT") && "form" in instruction && instruction.form === "shell") sources.push(instruction.argumentText);
  }
  return sources;
}

/** Compares both paths on each source; returns how many the reader answered for. */
function assertSameAsMvdan(sources: Iterable<string>): { total: number; simple: number } {
  let total = 0;
  let simple = 0;
  for (const source of sources) {
    total++;
    if (parseSimpleShell(source) !== undefined) simple++;
    const expected: ShellScript = parseShellWithMvdan(source);
    assert.deepEqual(parseShell(source), expected, `parseShell differs from mvdan-sh for ${JSON.stringify(source)}`);
  }
  return { total, simple };
}

function filesUnder(dir: string, accept: (name: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === ".git") continue;
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(child, accept));
    else if (accept(entry.name)) found.push(child);
  }
  return found;
}

describe("simple shell reader against mvdan-sh", () => {
  let tmp = "";
  let corpusSources: string[] = [];

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-simple-shell-"));
    const stats = generateCorpus(path.join(tmp, "corpus"), { count: 300, seed: 424_242 });
    corpusSources = stats.dockerfiles.flatMap((dockerfile) => shellSources(fs.readFileSync(path.join(tmp, "corpus", dockerfile.path), "utf8")));
  });

  after(() => {
    if (tmp !== "") fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("gives the same commands on every RUN/CMD body of a generated benchmark corpus, reading nearly all of them itself", () => {
    const { total, simple } = assertSameAsMvdan(new Set(corpusSources));
    assert.ok(total > 250, `expected many distinct bodies, got ${total}`);
    // The corpus has &&-chains, pipes, quotes, $(...), if/for, sh -c and redirections; all of it is in the reader's subset.
    assert.ok(simple / total > 0.95, `the reader answered for only ${simple} of ${total} bodies`);
  });

  it("gives the same commands on the Dockerfiles and Dockerfile snippets in tests, docs and examples", () => {
    const sources: string[] = [];
    const dockerfiles = filesUnder(path.join(ROOT, "examples"), (name) => /dockerfile|containerfile/i.test(name))
      .concat(filesUnder(path.join(ROOT, "test"), (name) => /^(Dockerfile|Containerfile)/.test(name) || name.endsWith(".Dockerfile")));
    for (const file of dockerfiles) sources.push(...shellSources(fs.readFileSync(file, "utf8")));
    // RUN lines inside test sources and Markdown code blocks, with their continuation lines.
    const texts = filesUnder(path.join(ROOT, "test"), (name) => name.endsWith(".ts")).concat(filesUnder(path.join(ROOT, "docs"), (name) => name.endsWith(".md")));
    for (const file of texts) {
      const text = fs.readFileSync(file, "utf8").replace(/\\n/g, "\n").replace(/\\\\/g, "\\");
      for (const match of text.matchAll(/^[^\S\n\r\u2028\u2029]*RUN ((?:.*\\\n)*.*)$/gm)) sources.push(...shellSources(`FROM scratch\nRUN ${match[1] ?? ""}\n`));
    }
    const { total, simple } = assertSameAsMvdan(new Set(sources));
    assert.ok(total > 100, `expected many snippet bodies, got ${total}`);
    assert.ok(simple > total / 2, `the reader answered for only ${simple} of ${total} snippet bodies`);
  });

  it("reads the common forms itself and leaves the rest to mvdan-sh, with the same result either way", () => {
    const simple = [
      `apt-get update && apt-get install -y --no-install-recommends "a b" 'c' || true; echo done`,
      "a |\n b | c && d\n\ne",
      "A=1 B='x y' C=\"$D\" cmd --flag=${E:-default} $1 \"$@\" ${#F} ${G%.*}",
      "export PATH=$PATH:/opt/bin && declare -x Q; local z",
      "A=1 export B",
      "make >/dev/null 2>&1 && cat < in > out 2> err >> log",
      `echo "a\\"b" 'c\\' \\; \\$x "\\$y" "\\\\" x'y'z ""`,
      "find . -name '*.pyc' -exec rm {} \\; && echo } { a#b",
      `curl -fsSL "https://x/$(uname -m)/$(dpkg --print-architecture | cut -d- -f1).tgz" | tar -xz -C /opt`,
      `X=$(a | b) c "$(d "e f")" $(g $(h))`,
      "if [ -f x ]; then a; elif b; then c; else d; fi && for i in 1 2; do e $i; done",
      "while read -r line; do echo $line; done < file; until false; do f; done",
      "(cd /src && make) | tee log; { a; b; } > out 2>&1",
      "command -v x > /dev/null || { echo missing >&2; exit 1; }",
      `sh -c 'npm ci && npm run build' && bash -ec "a | b; sh -c 'c'"`,
      "sudo -u app env A=1 nice -n 5 /usr/bin/apt-get install -y x",
      "set -euxo pipefail; a | b",
      "",
      " \n ",
    ];
    for (const source of simple) assert.notEqual(parseSimpleShell(source), undefined, `the reader should read ${JSON.stringify(source)}`);
    const mvdanOnly = [
      "echo `date`",
      "echo $((1 + 2)); ((i++))",
      "cat <<EOF\nx\nEOF",
      "cat <<< word; diff <(a) <(b)",
      "case $x in a) b;; esac",
      "f() { a; }; function g { b; }",
      "[[ -f x ]] && a",
      "! a; time b; let c=1",
      "a & b",
      "a |& b",
      "echo ${A:-$(b)} ${A/x/y} ${A:1:2} $'x' $\"y\"",
      "a # comment",
      "echo x''#y",
      "A[0]=1 b",
      "export A= B",
      "echo café",
      "a;;",
      ";a",
      "a\n&& b",
      "if a; then fi",
      "echo 'unterminated",
      "a\\\nb",
      "for ((i=0; i<3; i++)); do a; done",
      "echo $ x",
    ];
    for (const source of mvdanOnly) assert.equal(parseSimpleShell(source), undefined, `the reader should leave ${JSON.stringify(source)} to mvdan-sh`);
    const { total } = assertSameAsMvdan([...simple, ...mvdanOnly]);
    assert.equal(total, simple.length + mvdanOnly.length);
  });

  it("orders commands and numbers pipelines as the mvdan-sh walk does", () => {
    const script = parseShell(`X=$(a | b) c | d "$(e)" && sh -c 'f | g' | h`);
    assert.deepEqual(
      script.commands.map((command) => [command.name, command.pipeline, command.pipelineIndex, command.pipelineLength, command.viaShellString]),
      [
        // The pipeline `c | d` takes id 0 before its members' substitutions, which run (and are listed) before them.
        ["a", 1, 0, 2, false],
        ["b", 1, 1, 2, false],
        ["c", 0, 0, 2, false],
        ["e", 2, 0, 1, false],
        ["d", 0, 1, 2, false],
        ["sh", 3, 0, 2, false],
        ["f", 4, 0, 2, true],
        ["g", 4, 1, 2, true],
        ["h", 3, 1, 2, false],
      ],
    );
    assert.deepEqual(script, parseShellWithMvdan(script.source));
    assert.equal(script.commands[2]?.text, "X=$(a | b) c");
    assert.deepEqual(script.commands[2]?.assignments, ["X=$(a | b)"]);
  });

  it("agrees with mvdan-sh on generated scripts wherever the reader answers", () => {
    const random = createRandom(20_240_611);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)] as T;
    const words = ["a", "apt-get", "-y", "x=y", "A=1", "B=", "{a,b}", "a#b", "}", "{", "!", "fi", "do", "in", "[", "\\;", "~", "2", "'x y'", "\"a $B\"", "\"${C:-d}\"", "$1", "$@", "${#E}", "''", "\"\"", "export", "sh -c 'p | q'"];
    const separators = ["; ", "\n", " && ", " || ", " | ", " |\n", " ;\n"];
    let depth = 0;
    const word = (): string => {
      const roll = random.next();
      if (roll < 0.8 || depth > 2) return pick(words) + (random.next() < 0.2 ? pick(words) : "");
      depth++;
      const inner = roll < 0.9 ? `$(${script()})` : `"$(${script()})"`;
      depth--;
      return inner;
    };
    const command = (): string => {
      const roll = random.next();
      const simpleCommand = (): string => Array.from({ length: 1 + Math.floor(random.next() * 4) }, word).join(" ") + (random.next() < 0.1 ? pick([" > f", " 2>&1", " </dev/null"]) : "");
      if (roll < 0.6 || depth > 2) return simpleCommand();
      depth++;
      const compound =
        roll < 0.7 ? `if ${script()}; then ${script()}; else ${script()}; fi`
        : roll < 0.8 ? `for x in ${word()} ${word()}; do ${script()}; done`
        : roll < 0.85 ? `while ${script()}; do ${script()}; done`
        : roll < 0.93 ? `{ ${script()}; }`
        : `(${script()})`;
      depth--;
      return compound;
    };
    const script = (): string => Array.from({ length: 1 + Math.floor(random.next() * 3) }, command).reduce((joined, next) => `${joined}${pick(separators)}${next}`);
    const mutations = [";", " ", "\n", ")", "(", "'", '"', "$", "|", "&", "fi", "#", "\\", "`"];
    const sources: string[] = [];
    for (let count = 0; count < 2500; count++) {
      let source = script();
      if (random.next() < 0.4) {
        const at = Math.floor(random.next() * (source.length + 1));
        source = random.next() < 0.5 ? source.slice(0, at) + source.slice(at + 1) : source.slice(0, at) + pick(mutations) + source.slice(at);
      }
      sources.push(source);
    }
    // Where the reader gives up both functions run mvdan-sh alone: compare the others only.
    const answered = sources.filter((source) => parseSimpleShell(source) !== undefined);
    assert.ok(answered.length > 300, `the reader answered for only ${answered.length} of ${sources.length} generated scripts`);
    assertSameAsMvdan(answered);
  });
});
