// Rules that name hadolint ids in `meta.hadolint` are how teams switch from hadolint: its ignore
// comments silence them and `rules --format json` lists the mapping. This table holds the cases of
// hadolint's own rule specifications (which input warns, which does not), re-expressed as small
// Dockerfiles. For each case our rule either agrees, or the case names a difference that the
// rule's page explains under "Differences from hadolint DLxxxx" (and the test checks that the
// difference is still real, so a page cannot go stale). hadolint's ONBUILD-wrapped repeats of the
// same cases are not listed: they add no separate meaning.
import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { allRules } from "../../src/rules/index.ts";
import { findingsOf } from "../helpers/audit.ts";

interface SpecCase {
  hadolint: string;
  rule: string;
  lines: string[];
  /** hadolint warns on this input. */
  warns: boolean;
  /** Why we deliberately decide otherwise (explained on the rule's page). */
  differs?: string;
}

const DEBIAN = "FROM debian:12-slim";
const ALPINE = "FROM alpine:3.20";
const RHEL = "FROM rockylinux:9";
const SUSE = "FROM opensuse/leap:15.6";
const PYTHON = "FROM python:3.12-slim";
const NODE = "FROM node:22-slim";

// The documented differences (each explained on the rule's page).
const ROOT_FINAL = "we judge the user the final image runs as: a build stage's USER root ships nothing, and a final stage without USER runs as root";
const APT_LISTS_MOUNT = "with /var/lib/apt on a cache mount the lists are not in the layer; the .deb archives kept by removing docker-clean are another rule's finding";
const HEALTHCHECK_SHELL = "the rule is about PID 1 and signals; a HEALTHCHECK probe is a short-lived child process";
const DNF_YUM_DIR = "dnf keeps its cache in /var/cache/dnf (libdnf5 for dnf5): removing /var/cache/yum leaves it in the layer";
const PIP_FALSY = "pip disables its cache for any valid PIP_NO_CACHE_DIR value, false ones included (pip's backwards-compatible handling)";
const HEALTHCHECK_SERVICES = "only images that run a service (EXPOSE or a server command) are asked for a HEALTHCHECK";
const RUN_SIMPLE = "only package and file operations are reported; separate RUNs of scripts and builds are often deliberate cache steps";

const c = (hadolint: string, rule: string, warns: boolean, lines: string[], differs?: string): SpecCase => (differs === undefined ? { hadolint, rule, lines, warns } : { hadolint, rule, lines, warns, differs });

const CASES: SpecCase[] = [
  // DL3002: the last USER must not be root.
  c("DL3002", "runs-as-root", true, ["FROM scratch", "USER root"]),
  c("DL3002", "runs-as-root", false, ["FROM scratch", "USER foo"]),
  c("DL3002", "runs-as-root", true, ["FROM scratch", "USER 0"]),
  c("DL3002", "runs-as-root", true, ["FROM scratch", "USER root:root"]),
  c("DL3002", "runs-as-root", true, ["FROM scratch", "USER 0:0"]),
  c("DL3002", "runs-as-root", false, ["FROM scratch", "USER root", "RUN something", "USER foo"]),
  c("DL3002", "runs-as-root", true, ["FROM debian as base", "USER root", "RUN something", "FROM base", "RUN something else"]),
  c("DL3002", "runs-as-root", true, ["FROM debian as base", "USER root", "RUN something", "FROM scratch", "USER foo", "RUN something else"], ROOT_FINAL),
  c("DL3002", "runs-as-root", false, ["FROM debian as base", "USER root", "RUN something", "USER foo", "FROM scratch", "RUN something else"], ROOT_FINAL),

  // DL3004: no sudo in RUN (installing the package is fine).
  c("DL3004", "sudo-in-run", true, [DEBIAN, "RUN sudo apt-get update"]),
  c("DL3004", "sudo-in-run", false, [DEBIAN, "RUN apt-get install sudo"]),
  c("DL3004", "sudo-in-run", true, [DEBIAN, "RUN apt-get update && sudo apt-get install"]),

  // DL3006: tag the image explicitly; DL3007: not `latest`.
  c("DL3006", "base-image-latest-or-untagged", true, ["FROM debian"]),
  c("DL3006", "base-image-latest-or-untagged", true, ["FROM debian AS builder"]),
  c("DL3006", "base-image-latest-or-untagged", false, ["FROM ruby@sha256:f1dbca0f5dbc9"]),
  c("DL3006", "base-image-latest-or-untagged", false, ["FROM ruby:2"]),
  c("DL3006", "base-image-latest-or-untagged", false, ["FROM ${VALUE}"]),
  c("DL3006", "base-image-latest-or-untagged", false, ["FROM golang:1.9.3-alpine3.7 AS build", "RUN foo", "FROM build as unit-test", "RUN bar", "FROM alpine:3.7", "RUN baz"]),
  c("DL3006", "base-image-latest-or-untagged", true, ["FROM golang:1.9.3-alpine3.7 AS build", "RUN foo", "FROM node as unit-test", "RUN bar", "FROM alpine:3.7", "RUN baz"]),
  c("DL3006", "base-image-latest-or-untagged", false, ["FROM scratch"]),
  c("DL3007", "base-image-latest-or-untagged", true, ["FROM debian:latest"]),
  c("DL3007", "base-image-latest-or-untagged", true, ["FROM debian:latest AS builder"]),
  c("DL3007", "base-image-latest-or-untagged", false, ["FROM debian:jessie"]),
  c("DL3007", "base-image-latest-or-untagged", false, ["FROM hub.docker.io/debian@sha256:7959ed6f7e35f8b1aaa06d1d8259d4ee25aa85a086d5c125480c333183f9deeb"]),
  c("DL3007", "base-image-latest-or-untagged", false, ["FROM hub.docker.io/debian:latest@sha256:7959ed6f7e35f8b1aaa06d1d8259d4ee25aa85a086d5c125480c333183f9deeb"]),
  c("DL3007", "base-image-latest-or-untagged", false, ["FROM debian:jessie AS builder"]),

  // DL3009: remove /var/lib/apt/lists after installing, in stages that reach the image.
  c("DL3009", "apt-lists-not-removed", true, ["FROM scratch", "RUN apt-get update && apt-get install python"]),
  c("DL3009", "apt-lists-not-removed", false, ["FROM ubuntu as foo", "RUN apt-get update && apt-get install python", "FROM scratch", "RUN echo hey!"]),
  c("DL3009", "apt-lists-not-removed", true, ["FROM ubuntu as foo", "RUN hey!", "FROM scratch", "RUN apt-get update && apt-get install python"]),
  c("DL3009", "apt-lists-not-removed", true, ["FROM ubuntu as foo", "RUN apt-get update && apt-get install python", "FROM foo", "RUN hey!"]),
  c("DL3009", "apt-lists-not-removed", false, ["FROM ubuntu as foo", "RUN apt-get update && apt-get install python && rm -rf /var/lib/apt/lists/*", "FROM foo", "RUN hey!"]),
  c("DL3009", "apt-lists-not-removed", false, ["FROM scratch", "RUN apt-get update && apt-get install python && rm -rf /var/lib/apt/lists/*"]),
  c("DL3009", "apt-lists-not-removed", false, [DEBIAN, "RUN --mount=type=cache,target=/var/lib/apt/lists \\", "    apt-get update && apt-get install python"]),
  c("DL3009", "apt-lists-not-removed", false, [DEBIAN, "RUN --mount=type=cache,target=/var/lib/apt \\", "    --mount=type=cache,target=/var/cache/apt \\", "    rm -f /etc/apt/apt.conf.d/docker-clean && \\", "    apt-get update && apt-get install python"]),
  c("DL3009", "apt-lists-not-removed", false, [DEBIAN, "RUN rm -f /etc/apt/apt.conf.d/docker-clean", "RUN --mount=type=cache,target=/var/cache/apt \\", "    --mount=type=cache,target=/var/lib/apt \\", "    apt-get update && apt-get install foo"]),
  c("DL3009", "apt-lists-not-removed", true, [DEBIAN, "RUN --mount=type=cache,target=/var/cache/apt \\", "    rm -f /etc/apt/apt.conf.d/docker-clean && \\", "    apt-get update && apt-get install python"]),
  c("DL3009", "apt-lists-not-removed", true, [DEBIAN, "RUN rm -f /etc/apt/apt.conf.d/docker-clean", "RUN --mount=type=cache,target=/var/lib/apt \\", "    apt-get update && apt-get install python"], APT_LISTS_MOUNT),
  c("DL3009", "apt-lists-not-removed", false, [DEBIAN, "RUN \\", "  --mount=type=tmpfs,target=/var/cache/apt \\", "  --mount=type=tmpfs,target=/var/lib/apt \\", "  apt-get update"]),
  c("DL3009", "apt-lists-not-removed", false, [DEBIAN, "RUN \\", "  --mount=type=tmpfs,target=/var/cache/apt \\", "  --mount=type=cache,target=/var/lib/apt \\", "  apt-get update"]),
  c("DL3009", "apt-lists-not-removed", false, [DEBIAN, "RUN \\", "  --mount=type=cache,target=/var/cache/apt \\", "  --mount=type=tmpfs,target=/var/lib/apt \\", "  apt-get update"]),
  c("DL3009", "apt-lists-not-removed", false, [DEBIAN, "RUN \\", "  --mount=type=cache,target=/var/cache/apt \\", "  --mount=type=cache,target=/var/lib/apt \\", "  apt-get update"]),
  c("DL3009", "apt-lists-not-removed", true, ["FROM scratch", "RUN apt update && apt install python"]),
  c("DL3009", "apt-lists-not-removed", false, ["FROM scratch", "RUN apt update && apt install python && rm -rf /var/lib/apt/lists/*"]),
  c("DL3009", "apt-lists-not-removed", true, ["FROM scratch", "RUN aptitude update && aptitude install python"]),
  c("DL3009", "apt-lists-not-removed", false, ["FROM scratch", "RUN aptitude update && aptitude install python && rm -rf /var/lib/apt/lists/*"]),

  // DL3015: apt-get install with --no-install-recommends (or the equivalent -o option).
  c("DL3015", "apt-no-install-recommends", false, [DEBIAN, "RUN apt-get install --no-install-recommends python"]),
  c("DL3015", "apt-no-install-recommends", true, [DEBIAN, "RUN apt-get install python"]),
  c("DL3015", "apt-no-install-recommends", true, [DEBIAN, "RUN apt-get -y install python"]),
  c("DL3015", "apt-no-install-recommends", false, [DEBIAN, "RUN apt-get -o APT::Install-Recommends=false install python"]),

  // DL3019: apk add with --no-cache, or a cache/tmpfs mount on /var/cache/apk.
  c("DL3019", "apk-no-cache", true, [ALPINE, "RUN apk add flex=2.6.4-r1"]),
  c("DL3019", "apk-no-cache", false, [ALPINE, "RUN apk add --no-cache flex=2.6.4-r1"]),
  c("DL3019", "apk-no-cache", false, [ALPINE, "RUN --mount=type=cache,target=/var/cache/apk apk add -U curl=7.77.0"]),
  c("DL3019", "apk-no-cache", false, [ALPINE, "RUN --mount=type=tmpfs,target=/var/cache/apk apk add -U curl=7.77.0"]),
  c("DL3019", "apk-no-cache", false, [ALPINE, "RUN --mount=type=cache,target=/var/cache/foo apk add --no-cache -U curl=7.77.0"]),
  c("DL3019", "apk-no-cache", true, [ALPINE, "RUN --mount=type=cache,target=/var/cache/foo apk add -U curl=7.77.0"]),
  c("DL3019", "apk-no-cache", true, [ALPINE, "RUN --mount=type=tmpfs,target=/var/cache/foo apk add -U curl=7.77.0"]),

  // DL3020: COPY rather than ADD for local files; ADD stays for local archives it unpacks and URLs.
  c("DL3020", "add-instead-of-copy", false, [DEBIAN, "ADD file.tar /usr/src/app/"]),
  c("DL3020", "add-instead-of-copy", false, [DEBIAN, "ADD file.gz /usr/src/app/"]),
  c("DL3020", "add-instead-of-copy", false, [DEBIAN, "ADD file.bz2 /usr/src/app/"]),
  c("DL3020", "add-instead-of-copy", false, [DEBIAN, "ADD file.xz /usr/src/app/"]),
  c("DL3020", "add-instead-of-copy", false, [DEBIAN, "ADD file.tgz /usr/src/app/"]),
  c("DL3020", "add-instead-of-copy", false, [DEBIAN, "ADD http://file.com /usr/src/app/"]),
  c("DL3020", "add-instead-of-copy", true, [DEBIAN, "ADD file /usr/src/app/"]),
  c("DL3020", "add-instead-of-copy", true, [DEBIAN, "ADD file.zip /usr/src/app/"]),
  c("DL3020", "add-instead-of-copy", false, [DEBIAN, 'ADD "file.tgz" /usr/src/app/']),
  c("DL3020", "add-instead-of-copy", false, [DEBIAN, 'ADD "http://file.com" /usr/src/app/']),
  c("DL3020", "add-instead-of-copy", true, [DEBIAN, 'ADD "file.zip" /usr/src/app/']),

  // DL3025: JSON (exec) form for CMD, ENTRYPOINT and HEALTHCHECK CMD.
  c("DL3025", "shell-form-cmd", true, ["FROM node as foo", "ENTRYPOINT something"]),
  c("DL3025", "shell-form-cmd", false, ["FROM scratch as build", 'ENTRYPOINT ["foo", "bar"]']),
  c("DL3025", "shell-form-cmd", true, ["FROM node as foo", "CMD something"]),
  c("DL3025", "shell-form-cmd", false, ["FROM scratch as build", 'CMD ["foo", "bar"]', 'CMD [ "foo", "bar" ]']),
  c("DL3025", "shell-form-cmd", true, [DEBIAN, "HEALTHCHECK CMD foobar"], HEALTHCHECK_SHELL),
  c("DL3025", "shell-form-cmd", false, [DEBIAN, 'HEALTHCHECK CMD [ "foobar" ]']),
  c("DL3025", "shell-form-cmd", false, [DEBIAN, 'CMD [ "/bin/sh", "-c", \\', '      "echo foo && \\', '       echo bar" \\', "    ]"]),

  // DL3027: apt-get / apt-cache rather than apt.
  c("DL3027", "apt-use-apt-get", true, ["FROM ubuntu", "RUN apt install python"]),

  // DL3032: yum clean all (or removing /var/cache/yum) after yum, in the same RUN.
  c("DL3032", "package-cache-in-layer", true, [RHEL, "RUN yum install -y mariadb-10.4"]),
  c("DL3032", "package-cache-in-layer", false, [RHEL, "RUN yum install -y mariadb-10.4 && yum clean all"]),
  c("DL3032", "package-cache-in-layer", false, [RHEL, "RUN bash -c `# not even a yum command`"]),
  c("DL3032", "package-cache-in-layer", false, [RHEL, "RUN yum install -y mariadb-10.4 && rm -rf /var/cache/yum/*"]),
  c("DL3032", "package-cache-in-layer", true, [RHEL, "RUN yum clean all && yum install -y"]),

  // DL3035: no zypper dist-upgrade.
  c("DL3035", "apt-get-upgrade", true, [SUSE, "RUN zypper dist-upgrade"]),
  c("DL3035", "apt-get-upgrade", true, [SUSE, "RUN zypper dup"]),

  // DL3036: zypper clean (cc) after zypper, or a cache/tmpfs mount on /var/cache/zypp.
  c("DL3036", "package-cache-in-layer", true, [SUSE, "RUN zypper install -y mariadb=10.4"]),
  c("DL3036", "package-cache-in-layer", false, [SUSE, "RUN zypper install -y mariadb=10.4 && zypper clean"]),
  c("DL3036", "package-cache-in-layer", false, [SUSE, "RUN zypper install -y mariadb=10.4 && zypper cc"]),
  c("DL3036", "package-cache-in-layer", true, [SUSE, "RUN zypper clean && zypper install -y mariadb=10.4"]),
  c("DL3036", "package-cache-in-layer", false, [SUSE, "RUN --mount=type=cache,target=/var/cache/zypp zypper install -y mariadb"]),
  c("DL3036", "package-cache-in-layer", false, [SUSE, "RUN --mount=type=tmpfs,target=/var/cache/zypp zypper install -y mariadb"]),

  // DL3040: dnf/microdnf clean all after installing or upgrading (also abbreviated subcommands).
  c("DL3040", "package-cache-in-layer", true, [RHEL, "RUN dnf install -y mariadb-10.4"]),
  c("DL3040", "package-cache-in-layer", true, [RHEL, "RUN microdnf install -y mariadb-10.4"]),
  c("DL3040", "package-cache-in-layer", true, [RHEL, "RUN dnf in -y mariadb-10.4"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN dnf install -y mariadb-10.4 && dnf clean all"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN dnf in -y mariadb-10.4 && dnf clean all"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN microdnf install -y mariadb-10.4 && microdnf clean all"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN notdnf install mariadb"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN dnf install -y mariadb-10.4 && rm -rf /var/cache/yum/*"], DNF_YUM_DIR),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN dnf in -y mariadb-10.4 && rm -rf /var/cache/yum/*"], DNF_YUM_DIR),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN microdnf install -y mariadb-10.4 && rm -rf /var/cache/yum/*"]),
  c("DL3040", "package-cache-in-layer", true, [RHEL, "RUN microdnf clean all && dnf install -y mariadb-10.4"]),
  c("DL3040", "package-cache-in-layer", true, [RHEL, "RUN microdnf clean all && dnf in -y mariadb-10.4"]),
  c("DL3040", "package-cache-in-layer", true, [RHEL, "RUN rm -rf /var/cache/libdnf5 && dnf install -y mariadb-10.4"]),
  c("DL3040", "package-cache-in-layer", true, [RHEL, "RUN rm -rf /var/cache/libdnf5 && dnf in -y mariadb-10.4"]),
  c("DL3040", "package-cache-in-layer", true, [RHEL, "RUN rm -rf /var/cache/libdnf5 && microdnf install -y mariadb-10.4"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN --mount=type=cache,target=/var/cache/libdnf5 dnf install -y mariadb-10.4"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN --mount=type=cache,target=/var/cache/libdnf5 dnf in -y mariadb-10.4"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN --mount=type=cache,target=/var/cache/libdnf5 microdnf install -y mariadb-10.4"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN --mount=type=tmpfs,target=/var/cache/libdnf5 dnf install -y mariadb-10.4"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN --mount=type=tmpfs,target=/var/cache/libdnf5 dnf in -y mariadb-10.4"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN --mount=type=tmpfs,target=/var/cache/libdnf5 microdnf install -y mariadb-10.4"]),
  c("DL3040", "package-cache-in-layer", true, [RHEL, "RUN dnf -y upgrade"]),
  c("DL3040", "package-cache-in-layer", true, [RHEL, "RUN dnf -y up"]),
  c("DL3040", "package-cache-in-layer", true, [RHEL, "RUN dnf -y install"]),
  c("DL3040", "package-cache-in-layer", true, [RHEL, "RUN dnf -y in"]),
  c("DL3040", "package-cache-in-layer", true, [RHEL, "RUN dnf -y upgrade-minimal"]),
  c("DL3040", "package-cache-in-layer", true, [RHEL, "RUN dnf -y up-min"]),
  c("DL3040", "package-cache-in-layer", true, [RHEL, "RUN dnf -y reinstall"]),
  c("DL3040", "package-cache-in-layer", true, [RHEL, "RUN dnf -y rei"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN dnf -y install && dnf clean all"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN dnf -y in && dnf clean all"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN dnf -y upgrade && dnf clean all"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN dnf -y up && dnf clean all"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN dnf -y upgrade-minimal && dnf clean all"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN dnf -y up-min && dnf clean all"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN dnf -y reinstall && dnf clean all"]),
  c("DL3040", "package-cache-in-layer", false, [RHEL, "RUN dnf -y rei && dnf clean all"]),

  // DL3042: pip install --no-cache-dir, or PIP_NO_CACHE_DIR set to a true value, or a cache mount.
  c("DL3042", "pip-no-cache-dir", true, [PYTHON, "RUN pip2 install MySQL_python"]),
  c("DL3042", "pip-no-cache-dir", true, [PYTHON, "RUN pip3 install MySQL_python"]),
  c("DL3042", "pip-no-cache-dir", true, [PYTHON, "RUN pip install MySQL_python"]),
  c("DL3042", "pip-no-cache-dir", false, [PYTHON, "RUN pip2 install MySQL_python --no-cache-dir"]),
  c("DL3042", "pip-no-cache-dir", false, [PYTHON, "RUN pip3 install --no-cache-dir MySQL_python"]),
  c("DL3042", "pip-no-cache-dir", false, [PYTHON, "RUN pip install MySQL_python --no-cache-dir"]),
  c("DL3042", "pip-no-cache-dir", false, [PYTHON, "RUN pipx install software"]),
  c("DL3042", "pip-no-cache-dir", false, [PYTHON, "RUN pipenv install library"]),
  ...["1", "on", "yes", "true"].flatMap((value) => [
    c("DL3042", "pip-no-cache-dir", false, [PYTHON, `ENV PIP_NO_CACHE_DIR=${value}`, "RUN pip install MySQL_python"]),
    c("DL3042", "pip-no-cache-dir", false, [PYTHON, `RUN PIP_NO_CACHE_DIR=${value} pip install MySQL_python`]),
    c("DL3042", "pip-no-cache-dir", false, [PYTHON, `RUN export PIP_NO_CACHE_DIR=${value} && pip install MySQL_python`]),
  ]),
  ...["0", "off", "no", "false"].flatMap((value) => [
    c("DL3042", "pip-no-cache-dir", true, [PYTHON, `ENV PIP_NO_CACHE_DIR=${value}`, "RUN pip install MySQL_python"], PIP_FALSY),
    c("DL3042", "pip-no-cache-dir", true, [PYTHON, `RUN PIP_NO_CACHE_DIR=${value} pip install MySQL_python`], PIP_FALSY),
    c("DL3042", "pip-no-cache-dir", true, [PYTHON, `RUN export PIP_NO_CACHE_DIR=${value} && pip install MySQL_python`], PIP_FALSY),
  ]),
  c("DL3042", "pip-no-cache-dir", false, ["FROM debian:buster as base", "ENV PIP_NO_CACHE_DIR=1", "FROM base", "RUN pip install six"]),
  c("DL3042", "pip-no-cache-dir", true, ["FROM debian:buster as base", "ENV PIP_NO_CACHE_DIR=1", "FROM debian:buster", "RUN pip install six"]),
  c("DL3042", "pip-no-cache-dir", false, [PYTHON, "RUN --mount=type=cache,target=/root/.cache/pip pip install foobar"]),
  c("DL3042", "pip-no-cache-dir", false, [PYTHON, "RUN --mount=type=tmpfs,target=/root/.cache/pip pip install foobar"]),

  // DL3057: a HEALTHCHECK (or HEALTHCHECK NONE) in, or inherited by, every final image.
  c("DL3057", "no-healthcheck", true, ["FROM scratch"], HEALTHCHECK_SERVICES),
  c("DL3057", "no-healthcheck", false, ["FROM scratch", "HEALTHCHECK NONE"]),
  c("DL3057", "no-healthcheck", false, ["FROM scratch", "HEALTHCHECK CMD /bin/bla"]),
  c("DL3057", "no-healthcheck", false, ["FROM scratch AS base", "HEALTHCHECK CMD /bin/bla", "FROM base"]),
  c("DL3057", "no-healthcheck", false, ["FROM scratch AS base1", "FROM base1 AS base2", "FROM base2 AS base3", "FROM base3 AS end", "HEALTHCHECK NONE"]),
  c("DL3057", "no-healthcheck", true, ["FROM scratch AS base1", "FROM base1 AS base2", "FROM base2 AS base3.1", "FROM base2 AS base3.2", "", "FROM base3.1 AS end1", "HEALTHCHECK NONE", "", "FROM base3.2 AS end2"], HEALTHCHECK_SERVICES),
  c("DL3057", "no-healthcheck", true, ["FROM scratch AS base", "HEALTHCHECK CMD /bin/bla", "FROM scratch"], HEALTHCHECK_SERVICES),

  // DL3059: consecutive RUNs of single commands with the same flags could be one.
  c("DL3059", "consecutive-run-instructions", false, ["FROM debian:10"]),
  c("DL3059", "consecutive-run-instructions", false, [DEBIAN, "RUN /foo.sh"]),
  c("DL3059", "consecutive-run-instructions", false, [DEBIAN, "RUN /foo.sh", "WORKDIR /", "RUN /bar.sh"]),
  c("DL3059", "consecutive-run-instructions", true, [DEBIAN, "RUN /foo.sh", "RUN /bar.sh"], RUN_SIMPLE),
  c("DL3059", "consecutive-run-instructions", true, [DEBIAN, "RUN /foo.sh", "# a comment", "RUN /bar.sh"], RUN_SIMPLE),
  c("DL3059", "consecutive-run-instructions", true, [DEBIAN, "RUN /foo.sh", "# a comment", "# another comment", "RUN /bar.sh"], RUN_SIMPLE),
  c("DL3059", "consecutive-run-instructions", false, [DEBIAN, "# a comment", "RUN /foo.sh"]),
  c("DL3059", "consecutive-run-instructions", false, [DEBIAN, "RUN --mount=type=secret,id=foo /foo.sh", "RUN /bar.sh"]),
  c("DL3059", "consecutive-run-instructions", false, [DEBIAN, "RUN --mount=type=secret,id=foo /foo.sh", "RUN --mount=type=secret,id=bar /bar.sh"]),
  c("DL3059", "consecutive-run-instructions", true, [DEBIAN, "RUN --mount=type=secret,id=foo /foo.sh", "RUN --mount=type=secret,id=foo /bar.sh"], RUN_SIMPLE),
  c("DL3059", "consecutive-run-instructions", false, [DEBIAN, "RUN foo && bar", "RUN foobar"]),
  c("DL3059", "consecutive-run-instructions", false, [DEBIAN, "RUN foo; bar", "RUN foobar"]),
  c("DL3059", "consecutive-run-instructions", false, [DEBIAN, "RUN foobar", "RUN foo && bar"]),
  c("DL3059", "consecutive-run-instructions", false, [DEBIAN, "RUN foobar", "RUN foo; bar"]),
  c("DL3059", "consecutive-run-instructions", false, [DEBIAN, "RUN foo && bar", "RUN foo; bar"]),
  c("DL3059", "consecutive-run-instructions", true, [DEBIAN, "RUN foo && bar", "RUN foo", "RUN bar"], RUN_SIMPLE),

  // DL3060: yarn cache clean after yarn install, in stages that reach the image.
  c("DL3060", "package-cache-in-layer", false, [NODE, "RUN foo"]),
  c("DL3060", "package-cache-in-layer", true, [NODE, "RUN yarn install foo"]),
  c("DL3060", "package-cache-in-layer", false, [NODE, "RUN yarn install bar && yarn cache clean"]),
  c("DL3060", "package-cache-in-layer", true, [NODE, "RUN yarn cache clean && yarn install foo"]),
  c("DL3060", "package-cache-in-layer", false, [NODE, "RUN --mount=type=cache,target=/root/.cache/yarn yarn install foobar"]),
  c("DL3060", "package-cache-in-layer", false, [NODE, "RUN --mount=type=tmpfs,target=/root/.cache/yarn yarn install foobar"]),
  c("DL3060", "package-cache-in-layer", true, [NODE, "RUN --mount=type=cache,target=/var/lib/foobar yarn install foobar"]),
  c("DL3060", "package-cache-in-layer", true, [NODE, "RUN --mount=type=tmpfs,target=/var/lib/foobar yarn install foobar"]),
  c("DL3060", "package-cache-in-layer", true, ["FROM node:lts-alpine as foo", "RUN hey!", "FROM scratch", "RUN yarn install"]),
  c("DL3060", "package-cache-in-layer", true, ["FROM node:lts-alpine as foo", "RUN yarn install", "FROM foo", "RUN hey!"]),
  c("DL3060", "package-cache-in-layer", false, ["FROM node:lts-alpine as foo", "RUN yarn install && yarn cache clean", "FROM foo", "RUN hey!"]),
  c("DL3060", "package-cache-in-layer", false, ["FROM node:lts-alpine as foo", "RUN yarn install foo", "FROM scratch", "RUN hey!"]),

  // DL4003 / DL4004: more than one CMD / ENTRYPOINT in one stage.
  c("DL4003", "multiple-cmd-or-entrypoint", true, ["FROM debian", "CMD bash", "RUN foo", "CMD another"]),
  c("DL4003", "multiple-cmd-or-entrypoint", false, ["FROM debian as distro1", "CMD bash", "RUN foo", "FROM debian as distro2", "CMD another"]),
  c("DL4003", "multiple-cmd-or-entrypoint", true, ["FROM debian as distro1", "CMD bash", "RUN foo", "CMD another", "FROM debian as distro2", "CMD another"]),
  c("DL4003", "multiple-cmd-or-entrypoint", false, [DEBIAN, "CMD /bin/true"]),
  c("DL4004", "multiple-cmd-or-entrypoint", false, ["FROM busybox"]),
  c("DL4004", "multiple-cmd-or-entrypoint", true, ["FROM debian", "ENTRYPOINT bash", "RUN foo", "ENTRYPOINT another"]),
  c("DL4004", "multiple-cmd-or-entrypoint", false, ["FROM debian as distro1", "ENTRYPOINT bash", "RUN foo", "FROM debian as distro2", "ENTRYPOINT another"]),
  c("DL4004", "multiple-cmd-or-entrypoint", true, ["FROM debian as distro1", "ENTRYPOINT bash", "RUN foo", "ENTRYPOINT another", "FROM debian as distro2", "ENTRYPOINT another"]),
  c("DL4004", "multiple-cmd-or-entrypoint", false, [DEBIAN, "ENTRYPOINT /bin/true"]),

  // DL4006: a RUN with a pipe needs SHELL with -o pipefail (bash, zsh, ash; not plain sh, not Windows shells).
  c("DL4006", "missing-pipefail", true, ["FROM scratch", "RUN wget -O - https://some.site | wc -l > /number"]),
  c("DL4006", "missing-pipefail", false, ["FROM scratch as build", "RUN wget -O - https://some.site && wc -l file > /number"]),
  c("DL4006", "missing-pipefail", false, ["FROM scratch as build", 'SHELL ["/bin/bash", "-eo", "pipefail", "-c"]', "RUN wget -O - https://some.site | wc -l file > /number"]),
  c("DL4006", "missing-pipefail", false, ["FROM scratch as build", 'SHELL ["/bin/bash", "-e", "-o", "pipefail", "-c"]', "RUN wget -O - https://some.site | wc -l file > /number"]),
  c("DL4006", "missing-pipefail", false, ["FROM scratch as build", 'SHELL ["/bin/bash", "-o", "errexit", "-o", "pipefail", "-c"]', "RUN wget -O - https://some.site | wc -l file > /number"]),
  c("DL4006", "missing-pipefail", false, ["FROM scratch as build", 'SHELL ["/bin/zsh", "-o", "pipefail", "-c"]', "RUN wget -O - https://some.site | wc -l file > /number"]),
  c("DL4006", "missing-pipefail", false, ["FROM scratch as build", 'SHELL ["/usr/bin/bash", "-o", "pipefail", "-c"]', "RUN wget -O - https://some.site | wc -l file > /number"]),
  c("DL4006", "missing-pipefail", false, ["FROM scratch as build", 'SHELL ["/usr/local/bin/zsh", "-o", "pipefail", "-c"]', "RUN wget -O - https://some.site | wc -l file > /number"]),
  c("DL4006", "missing-pipefail", false, ["FROM scratch as build", 'SHELL ["pwsh", "-c"]', "RUN Get-Variable PSVersionTable | Select-Object -ExpandProperty Value"]),
  c("DL4006", "missing-pipefail", true, ["FROM scratch as build", 'SHELL ["/bin/sh", "-o", "pipefail", "-c"]', "RUN wget -O - https://some.site | wc -l file > /number"]),
  c("DL4006", "missing-pipefail", true, ["FROM scratch as build", 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]', "RUN wget -O - https://some.site | wc -l file > /number", "FROM scratch as build2", "RUN wget -O - https://some.site | wc -l file > /number"]),
  c("DL4006", "missing-pipefail", true, ["FROM scratch as build", 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]', "RUN wget -O - https://some.site | wc -l file > /number", 'SHELL ["/bin/sh", "-c"]', "RUN wget -O - https://some.site | wc -l file > /number"]),
  c("DL4006", "missing-pipefail", false, ["FROM mcr.microsoft.com/powershell:ubuntu-16.04", 'SHELL [ "pwsh", "-c" ]', "RUN Get-Variable PSVersionTable | Select-Object -ExpandProperty Value"]),
  c("DL4006", "missing-pipefail", false, ["FROM mcr.microsoft.com/powershell:ubuntu-16.04", 'SHELL [ "powershell.exe" ]', "RUN Get-Variable PSVersionTable | Select-Object -ExpandProperty Value"]),
  c("DL4006", "missing-pipefail", false, ["FROM mcr.microsoft.com/powershell:ubuntu-16.04", 'SHELL [ "cmd.exe", "/c" ]', "RUN Get-Variable PSVersionTable | Select-Object -ExpandProperty Value"]),
];

/** Our rule reports the input (any finding of the rule counts, as any hadolint warning of the id does). */
function ruleWarns(specCase: SpecCase): boolean {
  return findingsOf(`${specCase.lines.join("\n")}\n`, specCase.rule).length > 0;
}

function agreement(cases: readonly SpecCase[]): { agreeing: number; total: number; disagreeing: SpecCase[] } {
  const disagreeing = cases.filter((specCase) => ruleWarns(specCase) !== specCase.warns);
  return { agreeing: cases.length - disagreeing.length, total: cases.length, disagreeing };
}

describe("hadolint equivalence: the cases of hadolint's rule specs", () => {
  it("covers every hadolint id a rule maps to (DL3005 has no spec left in hadolint)", () => {
    const mapped = allRules.flatMap((rule) => rule.meta.hadolint.map((hadolint) => `${hadolint} ${rule.meta.id}`));
    const covered = new Set(CASES.map((specCase) => `${specCase.hadolint} ${specCase.rule}`));
    const missing = mapped.filter((pair) => !covered.has(pair) && !pair.startsWith("DL3005 "));
    assert.deepEqual(missing, []);
  });

  for (const specCase of CASES) {
    const name = `${specCase.hadolint} ${specCase.rule}: ${specCase.warns ? "warns" : "passes"} on ${JSON.stringify(specCase.lines.join("\\n"))}`;
    it(name, () => {
      const warns = ruleWarns(specCase);
      if (specCase.differs === undefined) {
        assert.equal(warns, specCase.warns, `${specCase.rule} disagrees with hadolint ${specCase.hadolint}`);
        return;
      }
      // A documented difference: still real, and explained on the rule's page.
      assert.equal(warns, !specCase.warns, `${specCase.rule} now agrees with hadolint ${specCase.hadolint}: drop the difference`);
      const page = fs.readFileSync(`docs/rules/${specCase.rule}.md`, "utf8");
      assert.match(page, new RegExp(`^## Differences from hadolint ${specCase.hadolint}\\b`, "m"), `docs/rules/${specCase.rule}.md must explain: ${specCase.differs}`);
    });
  }

  it("reports the agreement", () => {
    const { agreeing, total } = agreement(CASES);
    const documented = CASES.filter((specCase) => specCase.differs !== undefined).length;
    // Every case agrees or carries a documented difference (checked case by case above).
    assert.equal(agreeing + documented, total);
    console.log(`hadolint agreement: ${agreeing}/${total} cases (${((agreeing / total) * 100).toFixed(1)}%), ${documented} documented differences`);
  });
});
