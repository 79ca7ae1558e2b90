import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { INSTRUCTION_CHANGES, structuralProblems } from "../../src/fix/structure.ts";
import { allRules } from "../../src/rules/index.ts";

describe("structuralProblems", () => {
  it("accepts edits inside instructions, ADD turned into COPY, and identical text", () => {
    const before = "FROM debian\nADD app /app\nRUN apt-get install -y curl\n";
    assert.deepEqual(structuralProblems(before, before), []);
    assert.deepEqual(structuralProblems(before, "FROM debian\nCOPY app /app\nRUN apt-get install --no-install-recommends -y curl\n"), []);
  });

  it("reports an instruction swallowed by a dangling continuation", () => {
    const before = "FROM debian\nRUN apt-get install -y curl \\\n    && apt-get clean\nCOPY app /app\n";
    const after = "FROM debian\nRUN apt-get install -y curl \\\n    # tidy up\nCOPY app /app\n";
    assert.deepEqual(structuralProblems(before, after), ["the COPY at line 4 is gone (merged into the instruction before it?)"]);
  });

  it("reports an instruction that appeared, unless a rule that applied means to insert it", () => {
    const before = "FROM debian\nRUN --mount=type=cache,target=/var/cache/apt apt-get install -y curl\n";
    const after = `FROM debian\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\n${before.split("\n")[1] ?? ""}\n`;
    const problems = structuralProblems(before, after);
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? "", /^a RUN appeared at line [23] of the fixed file$/);
    assert.deepEqual(structuralProblems(before, after, { rules: ["apt-docker-clean-active"] }), []);
    // Inserting is not removing: the same rule may not drop a RUN.
    assert.equal(structuralProblems(after, before, { rules: ["apt-docker-clean-active"] }).length, 1);
  });

  it("allows multiple-cmd-or-entrypoint to drop an overridden CMD, nothing else", () => {
    const before = "FROM debian\nCMD [\"a\"]\nEXPOSE 80\nCMD [\"b\"]\n";
    assert.deepEqual(structuralProblems(before, "FROM debian\nEXPOSE 80\nCMD [\"b\"]\n", { rules: ["multiple-cmd-or-entrypoint"] }), []);
    assert.equal(structuralProblems(before, "FROM debian\nCMD [\"a\"]\nCMD [\"b\"]\n", { rules: ["multiple-cmd-or-entrypoint"] }).length, 1);
  });

  it("reports a RUN body that parsed and no longer does, not one that never did", () => {
    assert.deepEqual(structuralProblems("FROM debian\nRUN echo a && echo b\n", "FROM debian\nRUN echo a && && echo b\n").length, 1);
    assert.deepEqual(structuralProblems("FROM debian\nRUN echo a && && echo b\n", "FROM debian\nRUN echo a && && echo c\n"), []);
  });

  it("does not blame an inserted RUN for an original RUN that never parsed", () => {
    const before = "FROM debian\nRUN echo a && && echo b\nCOPY x /x\n";
    const after = "FROM debian\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN echo a && && echo b\nCOPY x /x\n";
    assert.deepEqual(structuralProblems(before, after, { rules: ["apt-docker-clean-active"] }), []);
    assert.equal(structuralProblems(before, "FROM debian\nRUN echo (\nRUN echo a && && echo b\nCOPY x /x\n", { rules: ["apt-docker-clean-active"] }).length, 1);
  });

  it("keeps ONBUILD triggers apart from the stage's own instructions", () => {
    assert.equal(structuralProblems("FROM debian\nONBUILD RUN echo a\n", "FROM debian\nRUN echo a\n").length, 2);
  });

  it("names real rules", () => {
    const ids = new Set(allRules.map((rule) => rule.meta.id));
    for (const rule of Object.keys(INSTRUCTION_CHANGES)) assert.ok(ids.has(rule), rule);
  });
});
