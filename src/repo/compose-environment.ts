// The environment a compose service's container gets from its `environment:` block, resolved the
// way `docker compose up` resolves it: `$VAR` / `${VAR}` and their default, error and alternative
// forms are interpolated from the project environment (the shell over the project's `.env` file),
// `$$` is a literal dollar, and a variable named without a value is copied from the project
// environment when it is set there. Pure: the caller reads the shell and the `.env` file.

export interface ResolvedEnvironment {
  /** Variable -> value, as the container would see it. */
  env: Record<string, string>;
  /** What did not resolve as written (never the values: they may be secrets). */
  notes: string[];
}

/** `${NAME...}` / `$NAME` lookups: the project environment. */
export type ProjectEnvironment = Readonly<Record<string, string | undefined>>;

/** Variables and their values, as compose's `environment:` holds them (null: no value given). */
export function resolveServiceEnvironment(environment: Readonly<Record<string, string | null>>, project: ProjectEnvironment): ResolvedEnvironment {
  const env: Record<string, string> = {};
  const notes: string[] = [];
  for (const [key, raw] of Object.entries(environment)) {
    if (raw === null) {
      const value = project[key];
      if (value === undefined) notes.push(`${key} is listed without a value and is not set in the shell or .env, so it is left unset`);
      else env[key] = value;
      continue;
    }
    const result = interpolate(raw, project);
    if ("error" in result) {
      notes.push(`${key} is left out: ${result.error}`);
      continue;
    }
    env[key] = result.value;
    for (const name of result.unset) notes.push(`${key} uses ${name}, which is not set in the shell or .env; it is blank, as compose makes it`);
  }
  return { env, notes };
}

type Interpolated = { value: string; unset: string[] } | { error: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Compose's interpolation of one value (compose-spec "Interpolation"). */
export function interpolate(text: string, project: ProjectEnvironment): Interpolated {
  let value = "";
  const unset: string[] = [];
  let index = 0;
  while (index < text.length) {
    const dollar = text.indexOf("$", index);
    if (dollar < 0) {
      value += text.slice(index);
      break;
    }
    value += text.slice(index, dollar);
    const next = text[dollar + 1];
    if (next === "$") {
      value += "$";
      index = dollar + 2;
      continue;
    }
    if (next === "{") {
      const close = matchingBrace(text, dollar + 1);
      if (close < 0) return { error: `unclosed \${ in ${JSON.stringify(text)}` };
      const expanded = expandBraced(text.slice(dollar + 2, close), project);
      if ("error" in expanded) return expanded;
      value += expanded.value;
      unset.push(...expanded.unset);
      index = close + 1;
      continue;
    }
    const name = NAME.exec(text.slice(dollar + 1))?.[0];
    if (name === undefined) {
      // A lone `$` (or one before a character no name starts with) stays as it is.
      value += "$";
      index = dollar + 1;
      continue;
    }
    const found = project[name];
    if (found === undefined) unset.push(name);
    value += found ?? "";
    index = dollar + 1 + name.length;
  }
  return { value, unset };
}

/** Index of the `}` closing the `{` at `open`, counting nested `${...}`; -1 when there is none. */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    const char = text[index];
    if (char === "{") depth++;
    else if (char === "}" && --depth === 0) return index;
  }
  return -1;
}

/** The inside of `${...}`: NAME, then optionally `:-` `-` `:?` `?` `:+` `+` and a word that may itself interpolate. */
function expandBraced(inner: string, project: ProjectEnvironment): Interpolated {
  const name = NAME.exec(inner)?.[0];
  if (name === undefined) return { error: `\${${inner}} is not a variable reference` };
  const rest = inner.slice(name.length);
  const current = project[name];
  if (rest === "") return current === undefined ? { value: "", unset: [name] } : { value: current, unset: [] };
  const operator = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (operator === undefined) return { error: `\${${inner}}: unknown modifier ${JSON.stringify(rest)}` };
  const word = rest.slice(operator.length);
  const emptyCounts = operator.startsWith(":");
  const missing = current === undefined || (emptyCounts && current === "");
  switch (operator) {
    case ":-":
    case "-":
      return missing ? interpolate(word, project) : { value: current as string, unset: [] };
    case ":?":
    case "?":
      if (!missing) return { value: current as string, unset: [] };
      return { error: `${name} is required (${word === "" ? `\${${inner}}` : JSON.stringify(word)}) and is not set in the shell or .env` };
    default:
      return missing ? { value: "", unset: [] } : interpolate(word, project);
  }
}

/**
 * A `.env` file as compose reads it: `KEY=VALUE` lines, `export ` allowed, `#` comments, values in
 * single quotes taken literally, in double quotes with `\n`-style escapes, unquoted ones up to an
 * inline ` #` comment. Lines that are not assignments are skipped.
 */
export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] as string).trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(?!\s)(.*)$/.exec(line);
    if (!match) continue;
    const key = match[1] as string;
    let value = match[2] as string;
    const quote = value[0];
    if (quote === "'" || quote === '"') {
      // A quoted value may run over several lines.
      let body = value.slice(1);
      while (!closesQuote(body, quote) && index + 1 < lines.length) body += `\n${lines[++index] as string}`;
      const end = closingQuoteIndex(body, quote);
      body = end < 0 ? body : body.slice(0, end);
      value = quote === "'" ? body : body.replace(/\\([nrt"\\])/g, (_, char: string) => ({ n: "\n", r: "\r", t: "\t" })[char as "n" | "r" | "t"] ?? char);
    } else {
      value = value.replace(/(?<!\s)\s+#.*$/, "").trim();
    }
    values[key] = value;
  }
  return values;
}

function closingQuoteIndex(body: string, quote: string): number {
  for (let index = 0; index < body.length; index++) {
    if (quote === '"' && body[index] === "\\") {
      index++;
      continue;
    }
    if (body[index] === quote) return index;
  }
  return -1;
}

function closesQuote(body: string, quote: string): boolean {
  return closingQuoteIndex(body, quote) >= 0;
}
