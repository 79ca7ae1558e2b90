import type { ComposeService } from "../repo/compose.ts";
import type { ComposeRule, RuleReport } from "./types.ts";

/** Commands that probe whether another service is up. */
const PROBE = String.raw`(?:nc|ncat|netcat|pg_isready|mysqladmin|mysql|psql|mongosh|mongo|redis-cli|curl|wget|nslookup|getent|ping|timeout|bash\s+-c\s+\S*/dev/tcp|cat\s+<\s*/dev/tcp)`;
const WAIT_PATTERNS: RegExp[] = [
  // until nc -z db 5432; do sleep 1; done  /  while ! pg_isready -h db; do ...
  // (Written so that no two quantifiers compete for the same blanks: `until\s+!?(?:[^;]*?[\s(/])?`
  // backtracked polynomially.)
  new RegExp(String.raw`\b(?:until\s(?:\s*!|[^;]*[\s(/])?|while\s+!(?:[^;]*[\s(/])?)${PROBE}\b[^;]*;\s*do\b`),
  /\bwait[-_]?for[-_]?it(?:\.sh)?\b/,
  /\bwait-for(?:\.sh)?\s/,
  /\bdockerize\b[^;&|]*\s-wait\b/,
  // ufoscout/docker-compose-wait's binary
  /(?:^|[\s;&|('"])\/wait(?:\s*(?:&&|;|$))/,
  // sleep 15 && npm start: guessing how long the database takes
  /^(?:(?:sh|bash)\s+-c\s+(?:["']\s*)?|["']?\s*)sleep\s+\d+[smh]?\s*(?:&&|;)/,
];

// Hand-written wait loops guess at readiness (the port is open before the database accepts
// queries), hang forever when the dependency never comes, hide the reason in a log, and need
// nc or curl in the image. Compose does it properly: a healthcheck on the dependency and
// `depends_on: {db: {condition: service_healthy}}`.
export const rule: ComposeRule = {
  meta: {
    id: "compose-wait-for-loop",
    description: "A service's command or entrypoint waits for dependencies with a loop or wait-for script instead of depends_on conditions.",
    impact: "medium",
    category: "compose",
    scope: "compose",
    hadolint: [],
    fixable: false,
  },
  check({ compose, repository }) {
    const text = repository.snapshot.texts.get(compose.path);
    const reports: RuleReport[] = [];
    for (const service of compose.services) {
      for (const field of ["command", "entrypoint"] as const) {
        const value = service[field];
        if (!value) continue;
        const match = WAIT_PATTERNS.map((pattern) => pattern.exec(value)).find((found) => found !== null);
        if (!match) continue;
        const dependency = guessDependency(value, service, compose.services.map((other) => other.name));
        reports.push({
          line: field === "command" ? (service.commandLine ?? service.line) : (fieldLine(text, service.line, "entrypoint") ?? service.line),
          message:
            `Service ${service.name}'s ${field} waits for its dependencies by hand ("${excerpt(value, match.index)}"): ` +
            `add a healthcheck to ${dependency} and use depends_on: {${dependency}: {condition: service_healthy}} instead`,
        });
      }
    }
    return reports;
  },
};

/** The service the loop waits for: a service name in the command, else the first dependency. */
function guessDependency(command: string, service: ComposeService, names: string[]): string {
  const mentioned = names.find((name) => name !== service.name && new RegExp(`(^|[^\\w.-])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^\\w.-]|$)`).test(command));
  return mentioned ?? service.dependsOn[0]?.service ?? "the dependency";
}

function excerpt(command: string, start: number): string {
  const text = command.slice(start).replace(/^["'\s]+/, "");
  const cut = text.search(/;\s*do\b|&&/);
  const shown = (cut > 0 ? text.slice(0, cut) : text).trim();
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}

/** Line of `field:` inside the service block starting at `serviceLine` (the model records no line for entrypoint). */
function fieldLine(text: string | undefined, serviceLine: number, field: string): number | undefined {
  if (text === undefined) return undefined;
  const lines = text.split(/\r?\n/);
  const indent = /^\s*/.exec(lines[serviceLine - 1] ?? "")?.[0].length ?? 0;
  for (let index = serviceLine; index < lines.length; index++) {
    const line = lines[index] ?? "";
    if (line.trim() === "" || line.trim().startsWith("#")) continue;
    if ((/^\s*/.exec(line)?.[0].length ?? 0) <= indent) return undefined;
    if (new RegExp(`^\\s*${field}\\s*:`).test(line)) return index + 1;
  }
  return undefined;
}
