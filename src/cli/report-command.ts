// `shipshape report [PATH] --html FILE`: the self-contained HTML report and dashboard of the
// repository at PATH, from its metrics history (.shipshape/metrics.db) and the last `shipshape
// optimize` result saved next to it. The file opens offline: no script, no request.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { openTarget } from "../audit/audit-paths.ts";
import { UsageError } from "../errors.ts";
import { readGitFacts } from "../metrics/git.ts";
import { resolveDbPath } from "../metrics/record.ts";
import { commitSubjects, dashboardData, readHistorySeries, readLastOptimize } from "../optimize/dashboard.ts";
import { budgetLinesFor } from "../optimize/budget-lines.ts";
import { renderHtmlReport } from "../report/html.ts";
import { commandHelp } from "./help.ts";
import type { CliIO } from "./io.ts";
import { writeFileAtomic } from "./write.ts";
import { plural } from "../format/index.ts";

export const REPORT_HELP = commandHelp({
  usage: "shipshape report [PATH] --html FILE [options]",
  summary: "Writes the HTML report of the repository at PATH (default: the current directory): per-image size, build time and\ncache hits over the recorded commits, regressions highlighted, the last optimize's before/after and layers.\nOne self-contained file; it opens offline and makes no request.",
  options: `Options:
  --html FILE                        where to write the report (required)
  --db PATH                          metrics database (default: .shipshape/metrics.db in the repository)
  --config FILE                      config file, as for audit
  --title TEXT                       the report's title
`,
  examples: ["shipshape report --html report.html", "shipshape report examples/shop --html /tmp/shop.html"],
  exitCodes: "0 written, 2 usage error or an unreadable metrics database.",
});

export async function runReportCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      html: { type: "string" },
      db: { type: "string" },
      config: { type: "string" },
      title: { type: "string" },
    },
  });
  if (positionals.length > 1) throw new UsageError("shipshape report takes one PATH (a directory of the repository)");
  if (values.html === undefined || values.html === "") throw new UsageError("--html FILE is required: the report is one HTML file");
  const given = positionals[0] ?? ".";
  const repository = path.resolve(io.cwd, given);
  if (!fs.statSync(repository, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${given} is not a directory: give a directory of the repository to report on`);
  const config = openTarget(given, { cwd: io.cwd, configPath: values.config }).config;
  const git = await readGitFacts(repository);
  const dbPath = resolveDbPath(values.db, io.cwd, git.root);
  const series = await readHistorySeries(dbPath, git.root);
  const subjects = commitSubjects(git.root, series.flatMap((entry) => entry.points.map((point) => point.gitCommit ?? "")));
  const optimize = readLastOptimize(dbPath);
  const data = dashboardData({
    series,
    subjects,
    repository: git.root,
    generatedAt: new Date().toISOString(),
    ...(values.title !== undefined ? { title: values.title } : {}),
    ...(optimize !== undefined ? { optimize } : {}),
    budgetFor: (image) => budgetLinesFor(config, image),
  });
  if (series.length === 0) data.notes.push(`No measurements in ${dbPath} yet: run shipshape build, bench or optimize first.`);
  const output = path.resolve(io.cwd, values.html);
  writeFileAtomic(output, renderHtmlReport(data));
  io.stderr(`shipshape: wrote ${values.html} (${plural(data.images.length, "image")}${optimize !== undefined ? ", with the last optimize" : ""})\n`);
  return 0;
}
