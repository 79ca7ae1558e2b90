import type { ImageReference } from "../dockerfile/model.ts";
import { tagVariants } from "../dockerfile/image-ref.ts";
import { isShippedStage } from "./queries.ts";
import { joinWithAnd } from "../format/index.ts";
import { officialImage } from "./support/runtime-image.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// A runtime or distribution past its end of life gets no security fixes: every CVE found in it
// from then on stays open in the image, and scanners flag the whole image. Rules are pure (no
// clock), so "past end of life" means: ended on or before EOL_TABLE_DATE, the day the table
// below was last checked. Update both together when a release line ends.
//
// Sources, checked 2026-11-22 (dates are the end of all free upstream support, security included):
//   Node.js     nodejs.org/en/about/previous-releases
//   Python      devguide.python.org/versions (3.10 ended 2026-10)
//   Go          go.dev/doc/devel/release: a release is supported until the second newer one ships
//               (1.25 ended when 1.27.0 shipped on 2026-08-19)
//   Ruby        www.ruby-lang.org/en/downloads/branches (3.2.11, 2026-03-27, was the last 3.2)
//   PHP         www.php.net/supported-versions.php
//   .NET        dotnet.microsoft.com/platform/support/policy/dotnet-core (8 and 9 ended 2026-11-10)
//   Debian      wiki.debian.org/LTS (end of LTS; bullseye's ended 2026-08-31)
//   Ubuntu      ubuntu.com/about/release-cycle (end of standard support: ESM needs Ubuntu Pro,
//               which official images do not enable)
//   Alpine      alpinelinux.org/releases (end of main repository support)
//   CentOS      CentOS Linux 7 ended 2024-06-30, 8 on 2021-12-31; the Docker image is deprecated
//   openjdk     hub.docker.com/_/openjdk: deprecated in July 2022, only early-access builds since
//   PostgreSQL  www.postgresql.org/support/versioning (9.x: the last line, 9.6, ended 2021-11-11)
//   MongoDB     www.mongodb.com/legal/support-policy/lifecycles
//   MySQL       Oracle's lifetime support policy (8.0 ended April 2026)
//   GCC         gcc.gnu.org/releases.html: a series ends with the release that closes its branch
export const EOL_TABLE_DATE = "2026-11-22";

interface ReleaseFamily {
  label: string;
  /** How many dotted parts of a version name a release line: 1 for Node.js 22, 2 for Python 3.12. */
  parts: number;
  /** End of life by release line; a date is `YYYY-MM-DD`, or `YYYY-MM` when only the month is announced. */
  ended: Record<string, string>;
  /** Release lines older than this ended even earlier (not listed one by one). */
  oldestListed: string;
}

const RUNTIMES: Record<string, ReleaseFamily> = {
  node: {
    label: "Node.js",
    parts: 1,
    ended: { "8": "2019-12-31", "9": "2018-06-30", "10": "2021-04-30", "11": "2019-06-01", "12": "2022-04-30", "13": "2020-06-01", "14": "2023-04-30", "15": "2021-06-01", "16": "2023-09-11", "17": "2022-06-01", "18": "2025-04-30", "19": "2023-06-01", "20": "2026-04-30", "21": "2024-06-01", "23": "2025-06-01", "25": "2026-06-01" },
    oldestListed: "8",
  },
  python: {
    label: "Python",
    parts: 2,
    ended: { "2.7": "2020-01-01", "3.0": "2009-06-27", "3.1": "2012-04-09", "3.2": "2016-02-20", "3.3": "2017-09-29", "3.4": "2019-03-18", "3.5": "2020-09-30", "3.6": "2021-12-23", "3.7": "2023-06-27", "3.8": "2024-10-07", "3.9": "2025-10-31", "3.10": "2026-10" },
    oldestListed: "2.7",
  },
  golang: {
    label: "Go",
    parts: 2,
    ended: { "1.17": "2022-08-02", "1.18": "2023-02-01", "1.19": "2023-08-08", "1.20": "2024-02-06", "1.21": "2024-08-13", "1.22": "2025-02-11", "1.23": "2025-08-12", "1.24": "2026-02-10", "1.25": "2026-08-19" },
    oldestListed: "1.17",
  },
  ruby: {
    label: "Ruby",
    parts: 2,
    ended: { "2.7": "2023-03-31", "3.0": "2024-04-23", "3.1": "2025-03-26", "3.2": "2026-03-27" },
    oldestListed: "2.7",
  },
  php: {
    label: "PHP",
    parts: 2,
    ended: { "7.4": "2022-11-28", "8.0": "2023-11-26", "8.1": "2025-12-31" },
    oldestListed: "7.4",
  },
  // Services and toolchains named by compose `image:` or used as a base (postgres:9.4, mongo:4, gcc:6).
  postgres: {
    label: "PostgreSQL",
    parts: 1,
    ended: { "9": "2021-11-11", "10": "2022-11-10", "11": "2023-11-09", "12": "2024-11-21", "13": "2025-11-13", "14": "2026-11-12" },
    oldestListed: "9",
  },
  mongo: {
    label: "MongoDB",
    parts: 2,
    ended: { "4.0": "2022-04-30", "4.2": "2023-04-30", "4.4": "2024-02-29", "5.0": "2024-10-31", "6.0": "2025-07-31" },
    oldestListed: "4.0",
  },
  mysql: {
    label: "MySQL",
    parts: 2,
    ended: { "5.6": "2021-02", "5.7": "2023-10", "8.0": "2026-04" },
    oldestListed: "5.6",
  },
  gcc: {
    label: "GCC",
    parts: 1,
    ended: { "6": "2018-10-26", "7": "2019-11-14", "8": "2021-05-14", "9": "2022-05-27", "10": "2023-07-07", "11": "2024-07-19", "12": "2025-07-11" },
    oldestListed: "6",
  },
  dotnet: {
    label: ".NET",
    parts: 2,
    ended: { "2.1": "2021-08-21", "2.2": "2019-12-23", "3.0": "2020-03-03", "3.1": "2022-12-13", "5.0": "2022-05-10", "6.0": "2024-11-12", "7.0": "2024-05-14", "8.0": "2026-11-10", "9.0": "2026-11-10" },
    oldestListed: "2.1",
  },
};

/** Distribution releases by version and by codename (as they appear in tags: `debian:buster`, `node:18-bullseye`). */
const DISTRIBUTIONS: Record<string, { label: string; releases: Record<string, { name: string; ended: string }>; versionParts: number; oldestListed: string }> = {
  debian: {
    label: "Debian",
    versionParts: 1,
    oldestListed: "6",
    releases: {
      "6": { name: "squeeze", ended: "2016-02-29" },
      "7": { name: "wheezy", ended: "2018-05-31" },
      "8": { name: "jessie", ended: "2020-06-30" },
      "9": { name: "stretch", ended: "2022-06-30" },
      "10": { name: "buster", ended: "2024-06-30" },
      "11": { name: "bullseye", ended: "2026-08-31" },
    },
  },
  ubuntu: {
    label: "Ubuntu",
    versionParts: 2,
    oldestListed: "14.04",
    releases: {
      "14.04": { name: "trusty", ended: "2019-04-25" },
      "16.04": { name: "xenial", ended: "2021-04-30" },
      "18.04": { name: "bionic", ended: "2023-05-31" },
      "20.04": { name: "focal", ended: "2025-05" },
      "20.10": { name: "groovy", ended: "2021-07-22" },
      "21.04": { name: "hirsute", ended: "2022-01-20" },
      "21.10": { name: "impish", ended: "2022-07-14" },
      "22.10": { name: "kinetic", ended: "2023-07-20" },
      "23.04": { name: "lunar", ended: "2024-01-25" },
      "23.10": { name: "mantic", ended: "2024-07-11" },
      "24.10": { name: "oracular", ended: "2025-07-10" },
      "25.04": { name: "plucky", ended: "2026-01" },
      "25.10": { name: "questing", ended: "2026-07" },
    },
  },
  alpine: {
    label: "Alpine",
    versionParts: 2,
    oldestListed: "3.15",
    releases: {
      "3.15": { name: "alpine3.15", ended: "2023-11-01" },
      "3.16": { name: "alpine3.16", ended: "2024-05-23" },
      "3.17": { name: "alpine3.17", ended: "2024-11-22" },
      "3.18": { name: "alpine3.18", ended: "2025-05-09" },
      "3.19": { name: "alpine3.19", ended: "2025-11-01" },
      "3.20": { name: "alpine3.20", ended: "2026-04-01" },
      "3.21": { name: "alpine3.21", ended: "2026-11-01" },
    },
  },
};

/** Node.js release codenames used as tags (`node:gallium`, `node:hydrogen-alpine`). */
const NODE_CODENAMES: Record<string, string> = { argon: "4", boron: "6", carbon: "8", dubnium: "10", erbium: "12", fermium: "14", gallium: "16", hydrogen: "18", iron: "20", jod: "22", krypton: "24" };

const CENTOS_ENDED: Record<string, string> = { "6": "2020-11-30", "7": "2024-06-30", "8": "2021-12-31" };

export const rule: DockerfileRule = {
  meta: {
    id: "end-of-life-base-image",
    description: "A FROM uses a runtime, toolchain, database or distribution release that is past its end of life (Node.js 18, Python 3.9, GCC 6, PostgreSQL 9, Debian buster...).",
    impact: "medium",
    category: "security",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      if (stage.baseStage !== undefined || stage.isScratch) continue;
      const ended = endedReleases(stage.base);
      if (ended.length === 0) continue;
      const build = isShippedStage(dockerfile, stage) ? "" : buildStageNote(stage.base);
      reports.push({
        message: `${stage.base.resolved}: ${joinWithAnd(ended)}, so it gets no security fixes${build}: move to a supported release`,
        line: stage.from.span.start.line,
      });
    }
    return reports;
  },
};

/** Descriptions of the releases in this image that ended, e.g. `Node.js 16 reached end of life on 2023-09-11` (also used by compose-end-of-life-image). */
export function endedReleases(base: ImageReference): string[] {
  const image = officialImage(base) ?? dotnetImage(base);
  if (image === undefined) return [];
  const tag = base.tag ?? "latest";
  const results: string[] = [];
  const [head = "", ...rest] = tag.toLowerCase().split("-");

  const family = RUNTIMES[image];
  if (family) {
    const version = image === "node" && NODE_CODENAMES[head] ? NODE_CODENAMES[head] : /^\d+(\.\d+)*$/.test(head) ? head : undefined;
    const ended = version === undefined ? undefined : endOf(family, version);
    if (ended) results.push(`${family.label} ${releaseLine(version ?? "", family.parts)} ${ended}`);
  }
  if (image === "openjdk" && /^\d/.test(head) && !tag.includes("ea")) results.push("the openjdk image was deprecated in July 2022 and its non-early-access tags get no updates (use eclipse-temurin)");
  if (image === "centos") {
    const version = /^(?:centos)?(\d+)/.exec(head)?.[1] ?? "8";
    results.push(`CentOS Linux ${version} reached end of life${CENTOS_ENDED[version] ? ` on ${CENTOS_ENDED[version]}` : ""}`);
  }
  const distribution = DISTRIBUTIONS[image];
  if (distribution) {
    const ended = distributionEnd(image, [head, ...rest]);
    if (ended) results.push(ended);
  } else {
    // Other images name their distribution in a tag variant: `node:18-bullseye-slim`, `python:3.12-alpine3.18`.
    for (const variant of tagVariants(tag).map((word) => word.toLowerCase())) {
      const ended = distributionEnd(undefined, [variant]);
      if (ended) {
        results.push(ended);
        break;
      }
    }
  }
  return results;
}

/** A build stage does not ship, but compiled languages link the old runtime into what does. */
function buildStageNote(base: ImageReference): string {
  const image = officialImage(base);
  return image === "golang" || image === "rust"
    ? " (a build stage, but its standard library is compiled into the binary that ships)"
    : " (a build stage: it does not ship, but the build runs on unpatched software)";
}

/** .NET images live on mcr.microsoft.com: `dotnet/aspnet`, `dotnet/sdk`, the older `dotnet/core/runtime`. */
function dotnetImage(base: ImageReference): string | undefined {
  return base.registry === "mcr.microsoft.com" && /^dotnet\/(core\/)?(sdk|aspnet|runtime|runtime-deps)$/.test(base.name) ? "dotnet" : undefined;
}

function releaseLine(version: string, parts: number): string {
  return version.split(".").slice(0, parts).join(".");
}

/** `reached end of life on <date>` when the release line ended by EOL_TABLE_DATE, else undefined. */
function endOf(family: ReleaseFamily, version: string): string | undefined {
  const numbers = version.split(".");
  if (numbers.length < family.parts) {
    // A floating major tag (`php:7`, `python:2`) ended when all of its lines did and a newer major exists; `python:3` did not.
    const major = numbers[0] ?? "";
    const lines = Object.entries(family.ended).filter(([line]) => line.split(".")[0] === major);
    const newerMajor = Object.keys(family.ended).some((line) => Number(line.split(".")[0]) > Number(major));
    if (lines.length === 0) return compareVersions(major, family.oldestListed) < 0 ? `reached end of life before ${family.ended[family.oldestListed] ?? ""}` : undefined;
    if (!newerMajor || !lines.every(([, date]) => hasEnded(date))) return undefined;
    const last = lines.map(([, date]) => date).sort().at(-1) ?? "";
    return `reached end of life ${describeDate(last)}`;
  }
  const line = numbers.slice(0, family.parts).join(".");
  const date = family.ended[line];
  if (date !== undefined) return hasEnded(date) ? `reached end of life ${describeDate(date)}` : undefined;
  return compareVersions(line, family.oldestListed) < 0 ? `reached end of life before ${family.ended[family.oldestListed] ?? ""}` : undefined;
}

function distributionEnd(image: string | undefined, words: string[]): string | undefined {
  for (const [key, distribution] of Object.entries(DISTRIBUTIONS)) {
    if (image !== undefined && image !== key) continue;
    for (const word of words) {
      for (const [version, release] of Object.entries(distribution.releases)) {
        const versionMatches = image === key && (word === version || word.startsWith(`${version}.`) || (distribution.versionParts === 1 && new RegExp(`^${version}(\\.\\d+)*$`).test(word)));
        if (release.name === word || release.name === word.replace(/\d{8}$/, "") || versionMatches) {
          return hasEnded(release.ended) ? `${distribution.label} ${version}${/^\d/.test(release.name) || release.name.startsWith("alpine") ? "" : ` (${release.name})`} reached end of life ${describeDate(release.ended)}` : undefined;
        }
      }
      // Older than every listed release: `ubuntu:12.04`, `alpine:3.12`, `debian:5`.
      const digits = image === key ? /^(\d+(?:\.\d+)?)/.exec(word)?.[1] : key === "alpine" ? /^alpine(\d+\.\d+)/.exec(word)?.[1] : undefined;
      if (digits !== undefined && compareVersions(digits, distribution.oldestListed) < 0) return `${distribution.label} ${digits} reached end of life long ago`;
    }
  }
  return undefined;
}

function hasEnded(date: string): boolean {
  // A month-only date ends with that month: compare with its last day.
  const end = /^\d{4}-\d{2}$/.test(date) ? `${date}-31` : date;
  return end <= EOL_TABLE_DATE;
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

function describeDate(date: string): string {
  const month = /^(\d{4})-(\d{2})$/.exec(date);
  return month ? `in ${MONTHS[Number(month[2]) - 1]} ${month[1]}` : `on ${date}`;
}

function compareVersions(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let index = 0; index < Math.max(x.length, y.length); index++) {
    const difference = (x[index] ?? 0) - (y[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
