// Compose files parsed with `yaml` (for line numbers) and validated with zod at the boundary.
// Only the fields the audit reads are modelled; unknown keys pass through untouched.
import type { Node as YamlNode, Pair } from "yaml";
import { z } from "zod";
import { yamlModule } from "./yaml.ts";
import { splitArguments } from "./shell-words.ts";
import { describeYamlError } from "../errors.ts";
import { aliasExpansionProblem } from "./yaml-expansion.ts";

export interface ComposeVolume {
  raw: string;
  type: "bind" | "volume" | "tmpfs" | "unknown";
  source?: string;
  target?: string;
  readOnly: boolean;
  line: number;
}

export interface ComposeService {
  name: string;
  line: number;
  image?: string;
  imageLine?: number;
  build?: {
    context: string;
    /** True when the file's build: set no context (so "." is the default, and a merge keeps the earlier one). */
    contextOmitted?: boolean;
    dockerfile?: string;
    target?: string;
    /** build.args; null means "KEY" without a value: Compose takes it from the environment. */
    args?: Record<string, string | null>;
    /** build.additional_contexts: name -> source (a path, `docker-image://...`, `service:NAME`). */
    additionalContexts?: Record<string, string>;
    line: number;
  };
  /** `command` as one string (list form joined by spaces). */
  command?: string;
  commandLine?: number;
  entrypoint?: string;
  /**
   * `command` / `entrypoint` as the container gets them: the list form as written, the string
   * form split into words as compose splits it (no shell). Undefined when not set or not splittable.
   */
  commandArgv?: string[];
  entrypointArgv?: string[];
  /** `user:` and `working_dir:` as written. */
  user?: string;
  workingDir?: string;
  volumes: ComposeVolume[];
  dependsOn: { service: string; condition?: string; line: number }[];
  hasHealthcheck: boolean;
  healthcheckDisabled: boolean;
  /** deploy.resources.limits, mem_limit or cpus present. */
  hasResourceLimits: boolean;
  /** `environment:`; null means "KEY" without a value: Compose takes it from the shell, if set there. */
  environment: Record<string, string | null>;
  /** `env_file:` paths as written (relative to the compose file's directory); `required: false` ones marked optional. */
  envFiles: { path: string; required: boolean }[];
  profiles: string[];
  /** The service looks like a development service (name or profile says dev, or a dev target). */
  isDevelopment: boolean;
}

export interface ComposeModel {
  path: string;
  services: ComposeService[];
}

const stringOrList = z.union([z.string(), z.array(z.union([z.string(), z.number()])).transform((items) => items.map(String))]);

/** The words of a string-form command; undefined when its quotes do not close. */
function commandWords(value: string | string[]): string[] | undefined {
  if (Array.isArray(value)) return value;
  try {
    return splitArguments(value);
  } catch {
    return undefined;
  }
}

const serviceSchema = z
  .object({
    image: z.string().optional(),
    build: z
      .union([
        z.string(),
        z
          .object({
            context: z.string().optional(),
            dockerfile: z.string().optional(),
            target: z.string().optional(),
            args: z.union([z.array(z.string()), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).nullable())]).optional(),
            additional_contexts: z.union([z.array(z.string()), z.record(z.string(), z.string())]).optional(),
          })
          .passthrough(),
      ])
      .optional(),
    command: stringOrList.nullable().optional(),
    entrypoint: stringOrList.nullable().optional(),
    volumes: z.array(z.union([z.string(), z.object({ type: z.string().optional(), source: z.string().optional(), target: z.string().optional(), read_only: z.boolean().optional() }).passthrough()])).optional(),
    depends_on: z.union([z.array(z.string()), z.record(z.string(), z.object({ condition: z.string().optional() }).passthrough().nullable())]).optional(),
    healthcheck: z.object({ disable: z.boolean().optional(), test: z.unknown().optional() }).passthrough().optional(),
    deploy: z.object({ resources: z.object({ limits: z.record(z.string(), z.unknown()).optional() }).passthrough().optional() }).passthrough().nullable().optional(),
    mem_limit: z.union([z.string(), z.number()]).optional(),
    cpus: z.union([z.string(), z.number()]).optional(),
    environment: z.union([z.array(z.string()), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).nullable())]).optional(),
    user: z.union([z.string(), z.number()]).transform(String).optional(),
    working_dir: z.string().optional(),
    env_file: z.union([z.string(), z.array(z.union([z.string(), z.object({ path: z.string(), required: z.boolean().optional() }).passthrough()]))]).optional(),
    profiles: z.array(z.string()).optional(),
  })
  .passthrough();

const composeSchema = z.object({ services: z.record(z.string(), serviceSchema.nullable()).optional() }).passthrough();

export class ComposeError extends Error {}

/** Parses a compose file; throws ComposeError with a readable message on broken YAML or shape. */
export function parseCompose(text: string, path: string): ComposeModel {
  const { isMap, isScalar, isSeq, LineCounter, parseDocument } = yamlModule();
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: false, merge: true });
  if (document.errors.length > 0) {
    const { reason, line, column } = describeYamlError(document.errors[0]);
    throw new ComposeError(`invalid YAML${line !== undefined ? ` at line ${line}, column ${column ?? 1}` : ""}: ${reason}`);
  }
  // Aliases are limited by what they expand to, not by how many there are (yaml-expansion.ts).
  const aliasProblem = aliasExpansionProblem(document);
  if (aliasProblem !== undefined) throw new ComposeError(aliasProblem);
  const parsed = composeSchema.safeParse(document.toJS({ maxAliasCount: -1 }) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ComposeError(`not a compose file: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "unexpected shape"}`);
  }
  const lineOf = (node: YamlNode | null | undefined): number => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  const servicesNode = document.get("services", true) as YamlNode | undefined;
  const services: ComposeService[] = [];
  // Each service's node by name, first occurrence (a lookup per service was quadratic in services).
  const serviceNodes = new Map<string, Pair<YamlNode, YamlNode>>();
  if (isMap(servicesNode)) {
    for (const pair of servicesNode.items) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      if (!serviceNodes.has(key)) serviceNodes.set(key, pair as Pair<YamlNode, YamlNode>);
    }
  }
  for (const [name, raw] of Object.entries(parsed.data.services ?? {})) {
    const service = raw ?? {};
    const serviceNode = serviceNodes.get(name);
    const keyLine = lineOf(serviceNode?.key);
    const fieldNode = (field: string): YamlNode | undefined => (isMap(serviceNode?.value) ? (serviceNode.value.get(field, true) as YamlNode | undefined) : undefined);
    const fieldLine = (field: string): number => {
      const pair = isMap(serviceNode?.value) ? serviceNode.value.items.find((item) => isScalar(item.key) && item.key.value === field) : undefined;
      return pair ? lineOf(pair.key as YamlNode) : keyLine;
    };

    const volumesNode = fieldNode("volumes");
    const volumes: ComposeVolume[] = (service.volumes ?? []).map((volume, index) => {
      const line = isSeq(volumesNode) ? lineOf(volumesNode.items[index] as YamlNode) : fieldLine("volumes");
      return typeof volume === "string" ? parseShortVolume(volume, line) : longVolume(volume, line);
    });

    const dependsNode = fieldNode("depends_on");
    const dependsOn = Array.isArray(service.depends_on)
      ? service.depends_on.map((dependency, index) => ({ service: dependency, line: isSeq(dependsNode) ? lineOf(dependsNode.items[index] as YamlNode) : fieldLine("depends_on") }))
      : Object.entries(service.depends_on ?? {}).map(([dependency, options]) => {
          const entry: { service: string; condition?: string; line: number } = { service: dependency, line: fieldLine("depends_on") };
          if (isMap(dependsNode)) {
            const pair = dependsNode.items.find((item) => isScalar(item.key) && item.key.value === dependency);
            if (pair) entry.line = lineOf(pair.key as YamlNode);
          }
          if (options?.condition) entry.condition = options.condition;
          return entry;
        });

    const environment: Record<string, string | null> = {};
    if (Array.isArray(service.environment)) {
      for (const item of service.environment) {
        const equals = item.indexOf("=");
        environment[equals >= 0 ? item.slice(0, equals) : item] = equals >= 0 ? item.slice(equals + 1) : null;
      }
    } else {
      for (const [key, value] of Object.entries(service.environment ?? {})) environment[key] = value === null ? null : String(value);
    }

    const profiles = service.profiles ?? [];
    const model: ComposeService = {
      name,
      line: keyLine,
      volumes,
      dependsOn,
      hasHealthcheck: service.healthcheck !== undefined && service.healthcheck.disable !== true,
      healthcheckDisabled: service.healthcheck?.disable === true,
      hasResourceLimits: Boolean(service.deploy?.resources?.limits) || service.mem_limit !== undefined || service.cpus !== undefined,
      environment,
      envFiles: (typeof service.env_file === "string" ? [service.env_file] : (service.env_file ?? [])).map((entry) => (typeof entry === "string" ? { path: entry, required: true } : { path: entry.path, required: entry.required !== false })),
      profiles,
      isDevelopment: false,
    };
    if (service.image !== undefined) {
      model.image = service.image;
      model.imageLine = fieldLine("image");
    }
    if (service.build !== undefined) {
      const build = typeof service.build === "string" ? { context: service.build } : service.build;
      model.build = { context: build.context ?? ".", line: fieldLine("build") };
      // An override file's build without context keeps the earlier file's context (compose's merge).
      if (build.context === undefined) model.build.contextOmitted = true;
      if (build.dockerfile !== undefined) model.build.dockerfile = build.dockerfile;
      if (build.target !== undefined) model.build.target = build.target;
      if ("args" in build && build.args !== undefined) model.build.args = buildArgs(build.args);
      if ("additional_contexts" in build && build.additional_contexts !== undefined) model.build.additionalContexts = additionalContexts(build.additional_contexts);
    }
    if (service.command) {
      model.command = Array.isArray(service.command) ? service.command.join(" ") : service.command;
      const argv = commandWords(service.command);
      if (argv !== undefined) model.commandArgv = argv;
      model.commandLine = fieldLine("command");
    }
    if (service.user !== undefined) model.user = service.user;
    if (service.working_dir !== undefined) model.workingDir = service.working_dir;
    if (service.entrypoint) {
      model.entrypoint = Array.isArray(service.entrypoint) ? service.entrypoint.join(" ") : service.entrypoint;
      const argv = commandWords(service.entrypoint);
      if (argv !== undefined) model.entrypointArgv = argv;
    }
    model.isDevelopment =
      /(^|[-_])(dev|develop|development|local)([-_]|$)/i.test(name) ||
      profiles.some((profile) => /dev/i.test(profile)) ||
      /dev/i.test(model.build?.target ?? "") ||
      /(^|[./-])(dev|develop|development|local|debug|override)\b/i.test(path.split("/").pop() ?? "") ||
      isDevelopmentCommand([model.entrypoint, model.command].filter((part) => part !== undefined).join(" ")) ||
      developmentEnvironment(environment);
    services.push(model);
  }
  return { path, services };
}

function buildArgs(args: string[] | Record<string, string | number | boolean | null>): Record<string, string | null> {
  const result: Record<string, string | null> = {};
  if (Array.isArray(args)) {
    for (const item of args) {
      const equals = item.indexOf("=");
      if (equals >= 0) result[item.slice(0, equals)] = item.slice(equals + 1);
      else result[item] = null;
    }
    return result;
  }
  for (const [key, value] of Object.entries(args)) result[key] = value === null ? null : String(value);
  return result;
}

function parseShortVolume(raw: string, line: number): ComposeVolume {
  const parts = raw.split(":");
  const readOnly = parts.length >= 3 && /(^|,)ro(,|$)/.test(parts.at(-1) ?? "");
  if (parts.length === 1) return { raw, type: "volume", target: parts[0] ?? "", readOnly, line };
  const source = parts[0] ?? "";
  const target = parts[1] ?? "";
  const isPath = source.startsWith(".") || source.startsWith("/") || source.startsWith("~") || source.startsWith("$");
  return { raw, type: isPath ? "bind" : "volume", source, target, readOnly, line };
}

function longVolume(volume: { type?: string; source?: string; target?: string; read_only?: boolean }, line: number): ComposeVolume {
  const type = volume.type === "bind" || volume.type === "volume" || volume.type === "tmpfs" ? volume.type : "unknown";
  const result: ComposeVolume = { raw: JSON.stringify(volume), type, readOnly: volume.read_only === true, line };
  if (volume.source !== undefined) result.source = volume.source;
  if (volume.target !== undefined) result.target = volume.target;
  return result;
}

/**
 * A command only a development setup runs: a file watcher or reloader (nodemon, `--watch`,
 * `--reload`), a debugger port (`--inspect`), a dev server (`ng serve`, `npm run dev`,
 * `npm run start:dev`, `manage.py runserver`). Words are compared one by one, so a mention
 * inside an argument (`--name=nodemon-logs`) does not count.
 */
export function isDevelopmentCommand(text: string): boolean {
  const words = text.split(/[\s"',;&|()[\]]+/).filter((word) => word !== "");
  return words.some((word, index) => {
    const name = word.split("/").pop() ?? "";
    const next = words[index + 1] ?? "";
    if (["nodemon", "ts-node-dev", "webpack-dev-server", "runserver"].includes(name)) return true;
    if (/^--(inspect|inspect-brk|watch|reload)(=|$)/.test(word)) return true;
    if (name === "ng" && (next === "serve" || next === "s")) return true;
    // `npm run dev`, `yarn dev`, `pnpm start:dev`, `npm run serve:dev`.
    if (["npm", "yarn", "pnpm", "bun"].includes(name)) {
      const script = next === "run" || next === "run-script" ? (words[index + 2] ?? "") : next;
      return /^(dev|develop|development)$|^[\w-]+:(dev|develop|development|debug|watch)$/.test(script);
    }
    return false;
  });
}

/** NODE_ENV, RAILS_ENV, APP_ENV, ASPNETCORE_ENVIRONMENT... set to development. */
function developmentEnvironment(environment: Record<string, string | null>): boolean {
  return Object.entries(environment).some(([key, value]) => /(^|_)(ENV|ENVIRONMENT)$/i.test(key) && /^dev(elop|elopment)?$/i.test(value ?? ""));
}

export function isComposeFileName(name: string): boolean {
  return /^(docker-)?compose(\.[\w-]+)*\.ya?ml$/i.test(name);
}

/** `additional_contexts:` as a map; the list form is `NAME=SOURCE` (an entry without `=` is dropped). */
function additionalContexts(value: string[] | Record<string, string>): Record<string, string> {
  if (!Array.isArray(value)) return { ...value };
  const contexts: Record<string, string> = {};
  for (const entry of value) {
    const equals = entry.indexOf("=");
    if (equals > 0) contexts[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return contexts;
}
