import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { interpolate, parseDotenv, resolveServiceEnvironment } from "../../src/repo/compose-environment.ts";

const project = { HOST: "db", EMPTY: "", PORT: "5432", USER: "shop" };

function value(text: string): string {
  const result = interpolate(text, project);
  assert.ok(!("error" in result), `no error for ${text}`);
  return result.value;
}

describe("interpolate (compose's rules)", () => {
  it("substitutes $NAME and ${NAME}, keeps $$ as one dollar and leaves text without variables alone", () => {
    assert.equal(value("postgres://$USER@${HOST}:$PORT/shop"), "postgres://shop@db:5432/shop");
    assert.equal(value("price: $$5 and $${HOST}"), "price: $5 and ${HOST}");
    assert.equal(value("no variables here"), "no variables here");
    assert.equal(value("a $ alone, $1"), "a $ alone, $1");
  });

  it("defaults: `:-` when unset or empty, `-` only when unset; nested references in the default", () => {
    assert.equal(value("${MISSING:-fallback}"), "fallback");
    assert.equal(value("${EMPTY:-fallback}"), "fallback");
    assert.equal(value("${EMPTY-fallback}"), "");
    assert.equal(value("${MISSING-fallback}"), "fallback");
    assert.equal(value("${HOST:-fallback}"), "db");
    assert.equal(value("${MISSING:-${HOST}:${PORT}}"), "db:5432");
  });

  it("alternatives: `:+` when set and non-empty, `+` when set", () => {
    assert.equal(value("${HOST:+yes}"), "yes");
    assert.equal(value("${EMPTY:+yes}"), "");
    assert.equal(value("${EMPTY+yes}"), "yes");
    assert.equal(value("${MISSING+yes}"), "");
  });

  it("required variables: an error when missing, the value when set", () => {
    assert.equal(value("${HOST:?set HOST}"), "db");
    const missing = interpolate("${PASSWORD:?set PASSWORD}", project);
    assert.ok("error" in missing && missing.error.includes("PASSWORD is required") && missing.error.includes("set PASSWORD"));
    assert.ok("error" in interpolate("${EMPTY:?x}", project));
    assert.deepEqual(interpolate("${EMPTY?x}", project), { value: "", unset: [] });
  });

  it("an unset plain reference is blank and reported; malformed references are errors", () => {
    assert.deepEqual(interpolate("x${MISSING}y$ALSO_MISSING", project), { value: "xy", unset: ["MISSING", "ALSO_MISSING"] });
    assert.ok("error" in interpolate("${HOST", project));
    assert.ok("error" in interpolate("${1abc}", project));
    assert.ok("error" in interpolate("${HOST/x/y}", project));
  });
});

describe("resolveServiceEnvironment", () => {
  it("resolves each variable, copies bare names from the project environment, and notes (without values) what it could not", () => {
    const resolved = resolveServiceEnvironment({ DATABASE_URL: "postgres://${USER}@${HOST}/shop", TOKEN: null, SECRET: null, PASSWORD: "${PASSWORD:?required}", LOG: "${LOG_LEVEL}", PLAIN: "on" }, { ...project, TOKEN: "t0k3n" });
    assert.deepEqual(resolved.env, { DATABASE_URL: "postgres://shop@db/shop", TOKEN: "t0k3n", LOG: "", PLAIN: "on" });
    assert.equal(resolved.notes.length, 3);
    assert.ok(resolved.notes[0]?.startsWith("SECRET is listed without a value"));
    assert.ok(resolved.notes[1]?.startsWith("PASSWORD is left out"));
    assert.ok(resolved.notes[2]?.startsWith("LOG uses LOG_LEVEL"));
    assert.ok(!resolved.notes.join(" ").includes("t0k3n"));
  });
});

describe("parseDotenv", () => {
  it("reads assignments, export, comments and both quotes", () => {
    const text = [
      "\uFEFF# the shop's local settings",
      "POSTGRES_PASSWORD=hunter2",
      "export API_URL = http://localhost:3000 # inline comment",
      "HASH=abc#def",
      "SINGLE='literal $HOST \\n'",
      'DOUBLE="line one\\nline two"',
      'MULTI="first',
      'second"',
      "not an assignment",
      "EMPTY=",
    ].join("\r\n");
    assert.deepEqual(parseDotenv(text), {
      POSTGRES_PASSWORD: "hunter2",
      API_URL: "http://localhost:3000",
      HASH: "abc#def",
      SINGLE: "literal $HOST \\n",
      DOUBLE: "line one\nline two",
      MULTI: "first\nsecond",
      EMPTY: "",
    });
  });
});
