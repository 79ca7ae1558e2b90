// The rule registry. Every file in src/rules/ that exports `rule` must be listed here;
// test/rules-registry.test.ts fails otherwise.
import type { Rule } from "./types.ts";
import { rule as addInsteadOfCopy } from "./add-instead-of-copy.ts";
import { rule as addRemoteUrl } from "./add-remote-url.ts";
import { rule as apkNoCache } from "./apk-no-cache.ts";
import { rule as aptCacheMountMissing } from "./apt-cache-mount-missing.ts";
import { rule as aptCacheMountNotLocked } from "./apt-cache-mount-not-locked.ts";
import { rule as aptDockerCleanActive } from "./apt-docker-clean-active.ts";
import { rule as aptGetUpgrade } from "./apt-get-upgrade.ts";
import { rule as aptListsNotRemoved } from "./apt-lists-not-removed.ts";
import { rule as aptNoInstallRecommends } from "./apt-no-install-recommends.ts";
import { rule as aptUpdateAlone } from "./apt-update-alone.ts";
import { rule as aptUseAptGet } from "./apt-use-apt-get.ts";
import { rule as baseImageLatestOrUntagged } from "./base-image-latest-or-untagged.ts";
import { rule as baseImageNoDigest } from "./base-image-no-digest.ts";
import { rule as buildInFinalStage } from "./build-in-final-stage.ts";
import { rule as buildToolsInRuntime } from "./build-tools-in-runtime.ts";
import { rule as cargoCacheMountMissing } from "./cargo-cache-mount-missing.ts";
import { rule as composeBuildWithoutTarget } from "./compose-build-without-target.ts";
import { rule as composeDependsOnWithoutHealthcheck } from "./compose-depends-on-without-healthcheck.ts";
import { rule as composeEndOfLifeImage } from "./compose-end-of-life-image.ts";
import { rule as composeNoResourceLimits } from "./compose-no-resource-limits.ts";
import { rule as composeSourceBindMount } from "./compose-source-bind-mount.ts";
import { rule as composeWaitForLoop } from "./compose-wait-for-loop.ts";
import { rule as consecutiveRunInstructions } from "./consecutive-run-instructions.ts";
import { rule as contextIncludesBuildOutput } from "./context-includes-build-output.ts";
import { rule as contextIncludesDependencies } from "./context-includes-dependencies.ts";
import { rule as contextIncludesSecrets } from "./context-includes-secrets.ts";
import { rule as contextIncludesTestsAndDocs } from "./context-includes-tests-and-docs.ts";
import { rule as contextIncludesVcs } from "./context-includes-vcs.ts";
import { rule as contextTooLarge } from "./context-too-large.ts";
import { rule as copyAllBeforeDepsInstall } from "./copy-all-before-deps-install.ts";
import { rule as copyBeforeWorkdir } from "./copy-before-workdir.ts";
import { rule as copyFromWholeFilesystem } from "./copy-from-whole-filesystem.ts";
import { rule as curlPipeShell } from "./curl-pipe-shell.ts";
import { rule as devDependenciesInRuntime } from "./dev-dependencies-in-runtime.ts";
import { rule as devServerInProduction } from "./dev-server-in-production.ts";
import { rule as duplicateBrowserDownload } from "./duplicate-browser-download.ts";
import { rule as duplicatedDockerfiles } from "./duplicated-dockerfiles.ts";
import { rule as endOfLifeBaseImage } from "./end-of-life-base-image.ts";
import { rule as filesRemovedInLaterLayer } from "./files-removed-in-later-layer.ts";
import { rule as finalStageFullBase } from "./final-stage-full-base.ts";
import { rule as finalStageToolchainImage } from "./final-stage-toolchain-image.ts";
import { rule as goCacheMountMissing } from "./go-cache-mount-missing.ts";
import { rule as jvmCacheMountMissing } from "./jvm-cache-mount-missing.ts";
import { rule as lockfileNotCopied } from "./lockfile-not-copied.ts";
import { rule as logShipperInImage } from "./log-shipper-in-image.ts";
import { rule as missingDockerignore } from "./missing-dockerignore.ts";
import { rule as missingPipefail } from "./missing-pipefail.ts";
import { rule as multipleCmdOrEntrypoint } from "./multiple-cmd-or-entrypoint.ts";
import { rule as noHealthcheck } from "./no-healthcheck.ts";
import { rule as nodeCacheMountMissing } from "./node-cache-mount-missing.ts";
import { rule as npmInstallWithLockfile } from "./npm-install-with-lockfile.ts";
import { rule as packageCacheInLayer } from "./package-cache-in-layer.ts";
import { rule as pipNoCacheDir } from "./pip-no-cache-dir.ts";
import { rule as pythonCacheMountMissing } from "./python-cache-mount-missing.ts";
import { rule as runsAsRoot } from "./runs-as-root.ts";
import { rule as runtimeVersionDrift } from "./runtime-version-drift.ts";
import { rule as secretsInEnvOrArg } from "./secrets-in-env-or-arg.ts";
import { rule as shellFormCmd } from "./shell-form-cmd.ts";
import { rule as sudoInRun } from "./sudo-in-run.ts";
import { rule as syntaxDirectiveNeedsRegistry } from "./syntax-directive-needs-registry.ts";
import { rule as volatileArgBeforeInstall } from "./volatile-arg-before-install.ts";

export const allRules: readonly Rule[] = [
  addInsteadOfCopy,
  addRemoteUrl,
  apkNoCache,
  aptCacheMountMissing,
  aptCacheMountNotLocked,
  aptDockerCleanActive,
  aptGetUpgrade,
  aptListsNotRemoved,
  aptNoInstallRecommends,
  aptUpdateAlone,
  aptUseAptGet,
  baseImageLatestOrUntagged,
  baseImageNoDigest,
  buildInFinalStage,
  buildToolsInRuntime,
  cargoCacheMountMissing,
  composeBuildWithoutTarget,
  composeDependsOnWithoutHealthcheck,
  composeEndOfLifeImage,
  composeNoResourceLimits,
  composeSourceBindMount,
  composeWaitForLoop,
  consecutiveRunInstructions,
  contextIncludesBuildOutput,
  contextIncludesDependencies,
  contextIncludesSecrets,
  contextIncludesTestsAndDocs,
  contextIncludesVcs,
  contextTooLarge,
  copyAllBeforeDepsInstall,
  copyBeforeWorkdir,
  copyFromWholeFilesystem,
  curlPipeShell,
  devDependenciesInRuntime,
  devServerInProduction,
  duplicateBrowserDownload,
  duplicatedDockerfiles,
  endOfLifeBaseImage,
  filesRemovedInLaterLayer,
  finalStageFullBase,
  finalStageToolchainImage,
  goCacheMountMissing,
  jvmCacheMountMissing,
  lockfileNotCopied,
  logShipperInImage,
  missingDockerignore,
  missingPipefail,
  multipleCmdOrEntrypoint,
  nodeCacheMountMissing,
  noHealthcheck,
  npmInstallWithLockfile,
  packageCacheInLayer,
  pipNoCacheDir,
  pythonCacheMountMissing,
  runsAsRoot,
  runtimeVersionDrift,
  secretsInEnvOrArg,
  shellFormCmd,
  sudoInRun,
  syntaxDirectiveNeedsRegistry,
  volatileArgBeforeInstall,
];

export function findRule(id: string): Rule | undefined {
  return allRules.find((rule) => rule.meta.id === id);
}
