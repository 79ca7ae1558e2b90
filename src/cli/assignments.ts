import { UsageError } from "../errors.ts";

/**
 * `OPTION K=V` values (`--build-arg`, `--env`); `K` alone takes K from the environment, as
 * `docker build --build-arg K` and `docker run -e K` do, and is skipped when unset there.
 */
export function parseAssignments(option: string, values: readonly string[], env: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf("=");
    const key = equals >= 0 ? value.slice(0, equals) : value;
    if (key === "") throw new UsageError(`${option} ${value}: expected KEY=VALUE`);
    if (equals >= 0) result[key] = value.slice(equals + 1);
    else if (env[key] !== undefined) result[key] = env[key];
  }
  return result;
}
