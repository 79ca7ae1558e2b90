// docker-bake.hcl for `shipshape fix --consolidate`: variables, groups and one target per
// service, rendered as HCL text. Pure.
//
// Strings are HCL templates: `${...}` and `%{...}` are interpolation and directives, so literal
// text escapes them as `$${` and `%%{`, and `"`, `\` and control characters as in JSON. A
// template part that names a variable is rendered as `${NAME}`.

export type HclTemplatePart = string | { variable: string };
/** Literal strings and variable references, concatenated. */
export type HclTemplate = readonly HclTemplatePart[];

export interface BakeVariable {
  name: string;
  default: string;
  /** One comment line above the block. */
  description?: string;
}

export interface BakeTarget {
  name: string;
  context: string;
  /** Relative to the context, as bake resolves it. */
  dockerfile: string;
  /** The Dockerfile stage to build. */
  target: string;
  tags: HclTemplate[];
  /** Build arguments; a value that is exactly one variable is rendered as a bare reference. */
  args: { name: string; value: HclTemplate }[];
}

export interface BakeFile {
  /** Comment lines at the top (without "# "). */
  header: string[];
  variables: BakeVariable[];
  groups: { name: string; targets: string[] }[];
  targets: BakeTarget[];
}

/** Bake's own rule for target and group names. */
export const BAKE_NAME = /^[a-zA-Z0-9_-]+$/;

export function renderBake(file: BakeFile): string {
  const blocks: string[] = [];
  if (file.header.length > 0) blocks.push(file.header.map((line) => (line === "" ? "#" : `# ${line}`)).join("\n"));
  for (const variable of file.variables) {
    const comment = variable.description === undefined ? "" : `# ${variable.description}\n`;
    blocks.push(`${comment}variable ${hclString(variable.name)} {\n  default = ${hclString(variable.default)}\n}`);
  }
  for (const group of file.groups) {
    blocks.push(`group ${hclString(group.name)} {\n  targets = [${group.targets.map(hclString).join(", ")}]\n}`);
  }
  for (const target of file.targets) {
    const lines = [
      `  context    = ${hclString(target.context)}`,
      `  dockerfile = ${hclString(target.dockerfile)}`,
      `  target     = ${hclString(target.target)}`,
      `  tags       = [${target.tags.map(hclTemplate).join(", ")}]`,
    ];
    if (target.args.length > 0) {
      const width = Math.max(...target.args.map((arg) => hclKey(arg.name).length));
      lines.push("  args = {", ...target.args.map((arg) => `    ${hclKey(arg.name).padEnd(width)} = ${hclValue(arg.value)}`), "  }");
    }
    blocks.push(`target ${hclString(target.name)} {\n${lines.join("\n")}\n}`);
  }
  return `${blocks.join("\n\n")}\n`;
}

/** A quoted HCL string whose content is taken literally. */
export function hclString(literal: string): string {
  return hclTemplate([literal]);
}

export function hclTemplate(template: HclTemplate): string {
  return `"${template.map((part) => (typeof part === "string" ? escapeLiteral(part) : `\${${part.variable}}`)).join("")}"`;
}

function hclValue(template: HclTemplate): string {
  const only = template.length === 1 ? template[0] : undefined;
  return only !== undefined && typeof only !== "string" ? only.variable : hclTemplate(template);
}

/** Object keys: a bare identifier when HCL accepts one, else a quoted string. */
function hclKey(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) ? name : hclString(name);
}

function escapeLiteral(text: string): string {
  let out = "";
  for (let index = 0; index < text.length; index++) {
    const ch = text[index] as string;
    const next = text[index + 1];
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if ((ch === "$" || ch === "%") && next === "{") out += `${ch}${ch}`;
    else if (ch.charCodeAt(0) < 0x20) out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out;
}
