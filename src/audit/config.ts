// shipshape.config.yaml / .json: validated with zod at the boundary, then resolved per file.
import path from "node:path";
import { z } from "zod";
import { yamlModule } from "../repo/yaml.ts";
import type { Impact } from "../rules/types.ts";
import { ConfigError, describeYamlError } from "../errors.ts";
import { closestMatch } from "../suggest.ts";
import { parseByteSize, parseDurationText } from "../format/index.ts";

const ruleSetting = z.enum(["off", "high", "medium", "low"]);
const ruleSettings = z.record(z.string(), ruleSetting);

/** `PORT/PATH` as `--http` takes it (`3000/health`). */
const httpProbe = z.string().regex(/^\d{1,5}(\/\S*)?$/, "expected PORT/PATH, e.g. 3000/health");

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** What `shipshape fix --verify` runs against both images of one build target (docs/fix.md). */
const verifyProbes = z
  .object({
    /** Arguments of a smoke run (a list: several runs); "" runs the image's default command. */
    smoke: z.union([z.string(), z.array(z.string())]).optional(),
    /** A request made to both images, started with host networking and PORT set. */
    http: httpProbe.optional(),
    /** A regular expression: matching output (timestamps, ids) is ignored when comparing. */
    smokeIgnore: z.string().refine(isRegExp, "not a valid regular expression").optional(),
    /** Environment of both images' probe containers, over the compose service's own `environment:`. */
    env: z.record(z.string().regex(/^[^=\s]+$/, "a variable name has no '=' or spaces"), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
    /** Settings differences accepted for this target, as `--allow` takes them (docs/verify.md); checked by the command that uses them. */
    allow: z.array(z.string().min(1)).optional(),
  })
  .strict();

/** `ci:`: how `shipshape ci` generates the CI configuration (docs/ci.md). */
export const ciConfigSchema = z
  .object({
    provider: z.enum(["github", "gitlab"]).optional(),
    /** auto: from the measured cache size against the quota; or force one of the modes. */
    cache: z.enum(["auto", "gha-max", "gha-min", "registry"]).default("auto"),
    /** Image repository prefix of the registry cache (`ghcr.io/OWNER/REPO`); unset: ghcr.io/<the repository> on GitHub, $CI_REGISTRY_IMAGE on GitLab. */
    registry: z.string().min(1).optional(),
    /** The GitHub Actions cache quota of a repository, in bytes (10 GB by default). */
    cacheQuotaBytes: z.number().positive().default(10_000_000_000),
    /** The share of the quota the build cache may plan to use; the rest is margin (other caches, eviction lag). */
    cacheShare: z.number().gt(0).max(1).default(0.5),
    /** Pull requests whose caches exist at the same time as the default branch's (assumed). */
    openPullRequests: z.number().int().min(0).default(3),
    defaultBranch: z.string().min(1).default("main"),
    runner: z.string().min(1).default("ubuntu-latest"),
    /** `history --fail-on-regression` thresholds. */
    failOnRegression: z.string().min(1).default("size=10%"),
    /** Keep `RUN --mount=type=cache` contents between runs (GitHub: actions/cache + buildkit-cache-dance). */
    persistCacheMounts: z.boolean().default(false),
  })
  .strict();

/** Prices in US dollars; each one overrides the default list price (docs/cost.md). */
const costPrices = z
  .object({
    ciPerMinute: z.number().min(0).optional(),
    storagePerGbMonth: z.number().min(0).optional(),
    egressPerGb: z.number().min(0).optional(),
  })
  .strict();

/** `cost:`: the assumptions of `shipshape cost` (docs/cost.md). Every value here is an assumption, never a measurement. */
export const costConfigSchema = z
  .object({
    registry: z.enum(["ghcr", "ecr", "dockerhub"]).default("ghcr"),
    runner: z.enum(["linux-2-core", "linux-4-core", "linux-8-core", "linux-16-core"]).default("linux-2-core"),
    buildsPerWeek: z.number().min(0).default(20),
    tagsKeptPerImage: z.number().min(0).default(10),
    pullsPerMonth: z.number().min(0).default(100),
    /** Pushed (compressed) size / image size, used when the compressed size was not measured. */
    compressionRatio: z.number().gt(0).max(1).default(0.4),
    prices: costPrices.default({}),
  })
  .strict();

export type CiConfig = z.infer<typeof ciConfigSchema>;
export type CostConfig = z.infer<typeof costConfigSchema>;

/** A size as `docker` and dive write it ("10GB", "500MiB") or a number of bytes. */
const byteSize = z.union([z.number().nonnegative(), z.string()]).transform((value, context) => {
  const bytes = typeof value === "number" ? value : parseByteSize(value);
  if (bytes === undefined) {
    context.addIssue({ code: "custom", message: `expected a size such as 10GB, 500MiB or a number of bytes, got '${String(value)}'` });
    return z.NEVER;
  }
  return bytes;
});

/** A duration ("90s", "5m", "48h", "7d") or a number of seconds; milliseconds once parsed. */
const duration = z.union([z.number().nonnegative(), z.string()]).transform((value, context) => {
  const ms = typeof value === "number" ? value * 1000 : parseDurationText(value);
  if (ms === undefined) {
    context.addIssue({ code: "custom", message: `expected a duration such as 90s, 5m or 48h, got '${String(value)}'` });
    return z.NEVER;
  }
  return ms;
});

/** `clean:`: the policy of `shipshape clean` (docs/clean.md); command-line options win. */
const cleanPolicy = z
  .object({
    /** Newest images kept per repository (default 2; --aggressive keeps 1). */
    keepImages: z.number().int().min(0).optional(),
    /** Build cache cap (default 10GB). */
    maxCache: byteSize.optional(),
    /** The cap under --aggressive (default 1GB). */
    aggressiveMaxCache: byteSize.optional(),
    /** Image references (globs, `shop-api:stable`, `registry.example/shop/*`) never removed. */
    keep: z.array(z.string().min(1)).default([]),
    /** Remove the project's base images too (they are pulled again by the next build). */
    includeBases: z.boolean().optional(),
    /** Always clean as --aggressive does. */
    aggressive: z.boolean().optional(),
    /** Cache unused for longer than this goes first (--print-gc-policy's keepDuration; default 48h). */
    keepDuration: duration.optional(),
    /** `build` cleans first when the engine's data root has less free space than this (default 5GB; 0 turns the check off). */
    minFreeSpace: byteSize.optional(),
  })
  .strict();

/** `budgets:` per service (build target name) or image reference (docs/budgets.md). */
const budget = z
  .object({
    maxSize: byteSize.optional(),
    maxLayers: z.number().int().positive().optional(),
    maxBuildTime: duration.optional(),
    maxWasted: byteSize.optional(),
  })
  .strict();

export const configSchema = z
  .object({
    /** Rule ids to turn off everywhere. */
    ignore: z.array(z.string()).default([]),
    /** Per-rule setting: off, or an impact that replaces the rule's own. */
    rules: ruleSettings.default({}),
    /** Later entries win. `files` are globs relative to the repository root. */
    overrides: z.array(z.object({ files: z.array(z.string()).min(1), rules: ruleSettings.default({}), ignore: z.array(z.string()).default([]) }).strict()).default([]),
    /** Paths (globs) never scanned. */
    ignorePaths: z.array(z.string()).default([]),
    failOn: z.enum(["high", "medium", "low", "none"]).optional(),
    /** Seconds the audit may spend on one file (parse and rules) before it skips the file's remaining rules and reports it; fix: over all its passes, and nothing is written for the file. */
    fileTimeBudget: z.number().positive().default(5),
    /** `build.network`: the network of builds and probe containers (`--network`); unset is the engine's default. */
    build: z.object({ network: z.string().min(1).optional() }).strict().optional(),
    /**
     * `allow`: settings differences `shipshape verify` accepts, as `--allow` takes them (docs/verify.md).
     * `services`: probes (and accepted differences) for `shipshape fix --verify`, keyed by build target
     * name (compose service) or Dockerfile path.
     */
    verify: z.object({ allow: z.array(z.string().min(1)).default([]), services: z.record(z.string(), verifyProbes).default({}) }).strict().optional(),
    /** `shipshape ci` settings (docs/ci.md). */
    ci: ciConfigSchema.optional(),
    /** `shipshape cost` assumptions and prices (docs/cost.md). */
    cost: costConfigSchema.optional(),
    /** The clean-up policy of `shipshape clean` and of build's low-disk check (docs/clean.md). */
    clean: cleanPolicy.optional(),
    /** Size budgets per service or image: checked by build, layers --ci, monitor; shown by history (docs/budgets.md). */
    budgets: z.record(z.string(), budget).optional(),
    /** Named compose file sets: `blue: [docker-compose.yml, docker-compose.blue.yml]` (docs/environments.md). */
    environments: z.record(z.string().regex(/^[\w.-]+$/, "an environment name is letters, digits, '.', '_' or '-'"), z.array(z.string().min(1)).min(1)).optional(),
  })
  .strict();

export type ShipshapeConfig = z.infer<typeof configSchema>;
export type RuleSetting = z.infer<typeof ruleSetting>;
export type VerifyProbesConfig = z.infer<typeof verifyProbes>;
export type CleanPolicyConfig = z.infer<typeof cleanPolicy>;
export type BudgetConfig = z.infer<typeof budget>;

export const CONFIG_FILE_NAMES = ["shipshape.config.yaml", "shipshape.config.yml", "shipshape.config.json"] as const;

export function defaultConfig(): ShipshapeConfig {
  return configSchema.parse({});
}

/** Parses and validates config text; throws ConfigError naming the file and the offending key. */
export function parseConfig(text: string, fileName: string, knownRules?: ReadonlySet<string>): ShipshapeConfig {
  let raw: unknown;
  if (fileName.endsWith(".json")) {
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`${fileName}: cannot parse JSON: ${(error as Error).message.split("\n")[0]}`);
    }
  } else {
    try {
      raw = yamlModule().parse(text);
    } catch (error) {
      const { reason, line, column } = describeYamlError(error);
      throw new ConfigError(`${fileName}${line !== undefined ? `:${line}:${column ?? 1}` : ""}: cannot parse YAML: ${reason}`);
    }
  }
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue?.code === "unrecognized_keys") {
      const key = String(issue.keys[0]);
      const suggestion = closestMatch(key, keysAt(configSchema, issue.path));
      const at = issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
      throw new ConfigError(`unknown key '${key}'${at} in ${fileName}${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ` (valid keys: ${keysAt(configSchema, issue.path).join(", ")})`}`);
    }
    const where = issue && issue.path.length > 0 ? issue.path.join(".") : "(root)";
    throw new ConfigError(`${fileName}: invalid config at ${where}: ${issue?.message ?? "invalid"}`);
  }
  if (knownRules) {
    const mentioned = [
      ...result.data.ignore,
      ...Object.keys(result.data.rules),
      ...result.data.overrides.flatMap((override) => [...override.ignore, ...Object.keys(override.rules)]),
    ];
    const unknown = mentioned.filter((id) => !knownRules.has(id));
    if (unknown.length > 0) throw new ConfigError(`${fileName}: unknown rule id(s): ${[...new Set(unknown)].join(", ")} (see \`shipshape rules\`)`);
  }
  return result.data;
}

interface SchemaDef {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  element?: unknown;
  valueType?: unknown;
}

function definitionOf(schema: unknown): SchemaDef | undefined {
  return (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;
}

/** The keys the object schema at `where` allows, through defaults, optionals, arrays and records. */
function keysAt(schema: unknown, where: readonly PropertyKey[]): string[] {
  const unwrap = (candidate: unknown): SchemaDef | undefined => {
    let definition = definitionOf(candidate);
    while (definition !== undefined && (definition.type === "default" || definition.type === "optional")) definition = definitionOf(definition.innerType);
    return definition;
  };
  let definition = unwrap(schema);
  for (const segment of where) {
    if (definition?.type === "object") definition = unwrap(definition.shape?.[String(segment)]);
    else if (definition?.type === "array") definition = unwrap(definition.element);
    else if (definition?.type === "record") definition = unwrap(definition.valueType);
    else return [];
  }
  return definition?.type === "object" ? Object.keys(definition.shape ?? {}) : [];
}

/** The effective setting of a rule for a file: undefined (rule's own impact), "off", or an impact. */
export function ruleSettingFor(config: ShipshapeConfig, rule: string, filePath: string): RuleSetting | undefined {
  let setting: RuleSetting | undefined = config.ignore.includes(rule) ? "off" : config.rules[rule];
  for (const override of config.overrides) {
    if (!override.files.some((glob) => matchesGlob(filePath, glob))) continue;
    if (override.ignore.includes(rule)) setting = "off";
    if (override.rules[rule] !== undefined) setting = override.rules[rule];
  }
  return setting;
}

export function isIgnoredPath(config: ShipshapeConfig, filePath: string): boolean {
  return config.ignorePaths.some((glob) => matchesGlob(filePath, glob) || matchesGlob(filePath, `${glob.replace(/(?<!\/)\/+$/, "")}/**`));
}

export function matchesGlob(filePath: string, glob: string): boolean {
  return path.posix.matchesGlob(filePath, glob);
}

export function impactAtLeast(impact: Impact, threshold: Impact | "none"): boolean {
  if (threshold === "none") return false;
  const order: Record<Impact, number> = { high: 3, medium: 2, low: 1 };
  return order[impact] >= order[threshold];
}

export const STARTER_CONFIG = `# shipshape configuration: https://github.com/shipshape-dev/shipshape#configuration
# Rule ids: \`shipshape rules\`. Settings: off | high | medium | low (replaces the rule's impact).

# Turn rules off everywhere:
ignore: []

# Per-rule settings:
rules: {}
#  base-image-no-digest: off
#  runs-as-root: high

# Per-path settings; later entries win. Globs are relative to the repository root.
overrides: []
#  - files: ["legacy/**"]
#    rules:
#      runs-as-root: off

# Paths never scanned:
ignorePaths: []

# Exit code 1 when a finding at or above this impact remains: high | medium | low | none
failOn: medium

# Seconds the audit (or fix, over all its passes) may spend on one file before it reports the file and moves on:
# fileTimeBudget: 5
`;
