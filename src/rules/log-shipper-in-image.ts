import type { ImageReference, Instruction, ShellCommand } from "../dockerfile/model.ts";
import { isCopyOrAdd, isRun } from "../dockerfile/model.ts";
import { parseImageReference } from "../dockerfile/image-ref.ts";
import { estimateMB } from "./estimates.ts";
import { isShippedStage, subcommand } from "./queries.ts";
import { positionalArgs } from "./support/package-hygiene.ts";
import { rootImageStage, startupCommands, startupInstructions, systemPackageInstall, wordResolver } from "./support/runtime-image.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// A log shipper inside the application image is a second program to start, supervise and
// patch in every service image, plus its runtime (Ruby for fluentd, a JVM for logstash): tens
// to hundreds of MB per image. Containers log to stdout/stderr; one shipper per node (a
// DaemonSet, the Docker logging driver) or a sidecar collects it for all of them.
export const rule: DockerfileRule = {
  meta: {
    id: "log-shipper-in-image",
    description: "A log shipper or monitoring agent (filebeat, fluentd, fluent-bit, td-agent, logstash, the Datadog or New Relic agent, Splunk forwarder...) is installed into an application image.",
    impact: "medium",
    category: "size",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile }) {
    const final = dockerfile.stages.at(-1);
    if (!final) return [];
    // An image built to BE the shipper (FROM fluent/fluentd, or CMD fluent-bit) is not an application image.
    const root = rootImageStage(dockerfile, final);
    if (root && shipperImage(root.base)) return [];
    const { entrypoint, cmd } = startupInstructions(dockerfile);
    const startup = entrypoint ?? cmd;
    const firstProgram = startup ? startupCommands(startup)[0] : undefined;
    if (firstProgram && shipperName(firstProgram.name)) return [];

    const reports: RuleReport[] = [];
    const reported = new Set<string>();
    const report = (instruction: Instruction, found: string, how: string): void => {
      // `curl -O .../filebeat.deb && dpkg -i filebeat.deb` is one shipper, reported once.
      const key = `${instruction.index}:${found}`;
      if (reported.has(key)) return;
      reported.add(key);
      reports.push({
        message:
          `${found} (${how}) is a log shipper inside the application image: one more process to supervise and patch in every service image. ` +
          "Log to stdout/stderr and collect with one shipper per node (a DaemonSet, the Docker logging driver) or a sidecar container",
        line: instruction.span.start.line,
        endLine: instruction.span.end.line,
        estimatedSavingMB: estimateMB("logShipper"),
      });
    };
    for (const stage of dockerfile.stages) {
      if (!isShippedStage(dockerfile, stage)) continue;
      for (const instruction of stage.instructions) {
        if (instruction.onbuild) continue;
        if (isCopyOrAdd(instruction) && instruction.from !== undefined && !dockerfile.stages.some((other) => other.name === instruction.from?.toLowerCase())) {
          const image = parseImageReference(instruction.from, dockerfile.globalArgs);
          if (shipperImage(image)) report(instruction, image.name, `COPY --from=${instruction.from}`);
        }
        if (!isRun(instruction)) continue;
        for (const command of instruction.shell.commands) {
          const found = shipperIn(command, wordResolver(dockerfile, stage, instruction, command));
          if (found) report(instruction, found, command.name === "curl" || command.name === "wget" ? `downloaded with ${command.name}` : `${command.name} ${subcommand(command) ?? ""}`.trim());
        }
      }
    }
    return reports;
  },
};

/** Package names of shippers and agents (apt/apk/yum, gem), also as downloaded .deb/.rpm file names. */
const SHIPPER_PACKAGE = /^(filebeat|fluentd|fluent-bit|td-agent|td-agent-bit|google-fluentd|logstash|datadog-agent|newrelic-infra|splunkforwarder|splunkuniversalforwarder|promtail|vector|otelcol-contrib|fluent-package)([-_][\d.].*)?(\.(deb|rpm|tar\.gz|tgz))?$/i;
/** Download URLs of the same. */
const SHIPPER_URL = /\/(filebeat|fluent-bit|td-agent|logstash|datadog-agent|newrelic-infra|splunkforwarder|promtail)[-_/]|install_script(_agent\d)?\.sh|dd-agent|install\.datadoghq\.com|download\.newrelic\.com\/infrastructure_agent|packages\.timber\.io|sh\.vector\.dev/i;
/** Images that are the shipper itself. */
const SHIPPER_IMAGES = new Set(["fluent/fluentd", "fluent/fluent-bit", "datadog/agent", "datadoghq/agent", "elastic/filebeat", "beats/filebeat", "elastic/logstash", "logstash/logstash", "grafana/promtail", "timberio/vector", "newrelic/infrastructure", "splunk/universalforwarder", "otel/opentelemetry-collector-contrib"]);

/** The shipper a package or package file name is (`filebeat` for `filebeat-8.15.0-amd64.deb`). */
function shipperPackage(name: string): string | undefined {
  return SHIPPER_PACKAGE.exec(name)?.[1]?.toLowerCase();
}

function shipperImage(image: ImageReference): boolean {
  return !image.unresolved && (SHIPPER_IMAGES.has(image.name) || image.name === "logstash" || image.name === "fluentd");
}

function shipperName(name: string): boolean {
  return /^(filebeat|fluentd|fluent-bit|td-agent|td-agent-bit|logstash|datadog-agent|newrelic-infra|promtail|vector|splunkd|otelcol-contrib)$/.test(name);
}

function shipperIn(command: ShellCommand, resolve: (word: string) => string[]): string | undefined {
  const install = systemPackageInstall(command, resolve);
  if (install) return install.packages.map(shipperPackage).find((name) => name !== undefined);
  if (command.name === "dpkg" || command.name === "rpm") return command.args.map((arg) => shipperPackage(arg.split("/").pop() ?? "")).find((name) => name !== undefined);
  if ((command.name === "gem" || command.name === "fluent-gem") && subcommand(command) === "install") return positionalArgs(command).find((name) => /^(fluentd|td-agent|logstash)$/.test(name));
  if (command.name === "curl" || command.name === "wget") {
    const url = command.args.find((arg) => /^https?:\/\//.test(arg) && SHIPPER_URL.test(arg));
    if (url) return shipperLabel(url);
  }
  return undefined;
}

function shipperLabel(url: string): string {
  const known = /(filebeat|fluent-bit|td-agent|logstash|datadog|newrelic|splunk|promtail|vector)/i.exec(url)?.[1]?.toLowerCase() ?? "agent";
  return known === "datadog" ? "datadog-agent" : known === "newrelic" ? "newrelic-infra" : known === "splunk" ? "splunkforwarder" : known;
}
