// The generated CI text: a GitHub Actions workflow (.github/workflows/docker.yml), a GitLab CI job
// (.gitlab-ci.yml) and, when the repository has none, a docker-bake.hcl with one target per
// build. Pure: a plan in, YAML/HCL text out.
import { stringify } from "yaml";
import { hclString } from "../fix/bake.ts";
import type { CacheDecision, CiBuild, CiImage } from "./plan.ts";
import { renderSection } from "./sections.ts";

export interface RenderInput {
  images: CiImage[];
  builds: CiBuild[];
  cache: CacheDecision;
  /** Bake file the builds use, relative to the repository root. */
  bakeFile: string;
  defaultBranch: string;
  runner: string;
  failOnRegression: string;
  /** Registry prefix of the registry cache; undefined: the provider's own registry for this repository. */
  registry?: string;
  persistCacheMounts: boolean;
  /** The config has a `budgets:` section: add a step that checks every image against it. */
  budgets: boolean;
  /** The shipshape version the CI installs. */
  shipshapeVersion: string;
  /** The repository directory ci was run on, relative to the git root where CI checks it out ("." for the root). */
  workdir: string;
}

/** A path under the workdir, relative to the checkout (where actions/cache and GitLab's cache/artifacts resolve paths). */
function underWorkdir(input: RenderInput, file: string): string {
  return input.workdir === "." ? file : `${input.workdir}/${file}`;
}

const YAML_OPTIONS = { lineWidth: 0, minContentWidth: 0 } as const;

/** The tag the CI loads each build as, so later steps (layers, history, summary) name it. */
export function ciImageTag(bakeTarget: string): string {
  return `shipshape-ci/${bakeTarget}:ci`;
}

const GITHUB_JOB = "shipshape-images";

/** The jobs of the workflow's generated section (a YAML mapping of job name to job). */
export function renderGithubJobs(input: RenderInput): string {
  const persist = input.persistCacheMounts && input.builds.some((build) => build.cacheMap !== undefined);
  const include = input.builds.map((build) => ({
    target: build.bakeTarget,
    ...(persist ? { "cache-map": JSON.stringify(build.cacheMap ?? {}) } : {}),
  }));
  const tag = ciImageTag("${{ matrix.target }}");
  const registryCache = input.cache.mode === "registry";
  const steps: Record<string, unknown>[] = [
    { name: "Check out", uses: "actions/checkout@v4" },
    { name: "Set up Node.js (for shipshape)", uses: "actions/setup-node@v4", with: { "node-version": 22 } },
    { name: "Install shipshape", run: `npm install --global shipshape@${input.shipshapeVersion}` },
    { name: "Set up Docker Buildx", uses: "docker/setup-buildx-action@v3" },
  ];
  if (registryCache) {
    if (input.registry === undefined) {
      steps.push({ name: "Registry cache location", run: 'echo "CACHE_REGISTRY=ghcr.io/${GITHUB_REPOSITORY,,}" >> "$GITHUB_ENV"' });
      steps.push({
        name: "Log in to the GitHub Container Registry",
        // Pull requests from the repository itself log in too (a private cache needs it to be read); forks get no secrets.
        if: "github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository",
        uses: "docker/login-action@v3",
        with: { registry: "ghcr.io", username: "${{ github.actor }}", password: "${{ secrets.GITHUB_TOKEN }}" },
      });
    } else {
      steps.push({ name: "Registry cache location", run: `echo "CACHE_REGISTRY=${input.registry}" >> "$GITHUB_ENV"` });
      steps.push({
        name: "Log in to the cache registry (secrets REGISTRY_USERNAME, REGISTRY_PASSWORD)",
        // Pull requests from the repository itself log in too (a private cache needs it to be read); forks get no secrets.
        if: "github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository",
        uses: "docker/login-action@v3",
        with: { registry: registryHost(input.registry), username: "${{ secrets.REGISTRY_USERNAME }}", password: "${{ secrets.REGISTRY_PASSWORD }}" },
      });
    }
  }
  if (persist) {
    steps.push({
      name: "Restore RUN --mount=type=cache contents",
      id: "mount-cache",
      uses: "actions/cache@v4",
      with: { path: "shipshape-cache-mounts", key: "shipshape-cache-mounts-${{ matrix.target }}-${{ github.sha }}", "restore-keys": "shipshape-cache-mounts-${{ matrix.target }}-" },
    });
    steps.push({
      name: "Inject the cache mounts into BuildKit",
      uses: "reproducible-containers/buildkit-cache-dance@v3",
      with: { "cache-dir": "shipshape-cache-mounts", "cache-map": "${{ matrix.cache-map }}", "skip-extraction": "${{ steps.mount-cache.outputs.cache-hit }}" },
    });
  }
  steps.push({
    name: "Restore the metrics history",
    uses: "actions/cache/restore@v4",
    with: { path: underWorkdir(input, ".shipshape/metrics.db"), key: "shipshape-metrics-${{ matrix.target }}-${{ github.run_id }}-${{ github.run_attempt }}", "restore-keys": "shipshape-metrics-${{ matrix.target }}-" },
  });
  steps.push({ name: "Start the build clock", run: 'echo "BUILD_STARTED_MS=$(date +%s%3N)" >> "$GITHUB_ENV"' });
  const bake = (set: string[]): Record<string, unknown> => ({
    source: ".",
    ...(input.workdir === "." ? {} : { workdir: input.workdir }),
    files: input.bakeFile,
    targets: "${{ matrix.target }}",
    load: true,
    set: `${set.join("\n")}\n`,
  });
  const tagLine = `\${{ matrix.target }}.tags=${tag}`;
  if (registryCache) {
    const ref = "${{ env.CACHE_REGISTRY }}/${{ matrix.target }}:buildcache";
    steps.push({
      name: "Build (default branch: reads and writes the registry cache)",
      if: "github.event_name != 'pull_request'",
      uses: "docker/bake-action@v6",
      with: bake([tagLine, `\${{ matrix.target }}.cache-from=type=registry,ref=${ref}`, `\${{ matrix.target }}.cache-to=type=registry,ref=${ref},mode=max,image-manifest=true,oci-mediatypes=true`]),
    });
    steps.push({
      name: "Build (pull request: reads the default branch's registry cache)",
      if: "github.event_name == 'pull_request'",
      uses: "docker/bake-action@v6",
      with: bake([tagLine, `\${{ matrix.target }}.cache-from=type=registry,ref=${ref}`]),
    });
  } else {
    const mode = input.cache.mode === "gha-max" ? "max" : "min";
    const scope = "${{ matrix.target }}";
    const prScope = "${{ matrix.target }}-pr-${{ github.event.number }}";
    steps.push({
      name: `Build (default branch: gha cache, mode=${mode})`,
      if: "github.event_name != 'pull_request'",
      uses: "docker/bake-action@v6",
      with: bake([tagLine, `\${{ matrix.target }}.cache-from=type=gha,scope=${scope}`, `\${{ matrix.target }}.cache-to=type=gha,mode=${mode},scope=${scope}`]),
    });
    steps.push({
      name: "Build (pull request: own cache, the default branch's as fallback)",
      if: "github.event_name == 'pull_request'",
      uses: "docker/bake-action@v6",
      with: bake([tagLine, `\${{ matrix.target }}.cache-from=type=gha,scope=${prScope}`, `\${{ matrix.target }}.cache-from=type=gha,scope=${scope}`, `\${{ matrix.target }}.cache-to=type=gha,mode=min,scope=${prScope}`]),
    });
  }
  steps.push({ name: "Stop the build clock", run: 'echo "BUILD_MS=$(( $(date +%s%3N) - BUILD_STARTED_MS ))" >> "$GITHUB_ENV"' });
  steps.push({ name: "Layers: wasted bytes and efficiency (dive's thresholds)", run: `shipshape layers ${tag} --ci --db .shipshape/metrics.db` });
  if (input.budgets) steps.push({ name: "Budgets (budgets: in shipshape.config.yaml)", run: "shipshape monitor . --sizes" });
  steps.push({
    name: "Size regressions against the previous run",
    if: "${{ !cancelled() }}",
    run: `shipshape history . --db .shipshape/metrics.db --image ${tag} --fail-on-regression ${input.failOnRegression}`,
  });
  steps.push({
    name: "Save the metrics history",
    if: "${{ !cancelled() }}",
    uses: "actions/cache/save@v4",
    with: { path: underWorkdir(input, ".shipshape/metrics.db"), key: "shipshape-metrics-${{ matrix.target }}-${{ github.run_id }}-${{ github.run_attempt }}" },
  });
  steps.push({
    name: "Job summary",
    if: "${{ !cancelled() }}",
    run: [
      `size=$(docker image inspect --format '{{.Size}}' '${tag}' 2>/dev/null || echo "")`,
      'seconds=$(( ${BUILD_MS:-0} / 1000 ))',
      "{",
      "  echo '### ${{ matrix.target }}'",
      "  echo '| image | size (bytes) | build time (s) | cache |'",
      "  echo '| --- | ---: | ---: | --- |'",
      `  echo "| ${tag} | \${size:-not built} | \${seconds} | ${describeCacheShort(input.cache)} |"`,
      '} >> "$GITHUB_STEP_SUMMARY"',
    ].join("\n"),
  });
  const job = {
    name: "image ${{ matrix.target }}",
    "runs-on": input.runner,
    strategy: { "fail-fast": false, matrix: { include } },
    ...(input.workdir === "." ? {} : { defaults: { run: { "working-directory": input.workdir } } }),
    steps,
  };
  return stringify({ [GITHUB_JOB]: job }, YAML_OPTIONS);
}

/** The registry host of an image repository prefix (`ghcr.io/acme/shop` -> `ghcr.io`). */
export function registryHost(registry: string): string {
  return registry.split("/")[0] ?? registry;
}

function describeCacheShort(cache: CacheDecision): string {
  return cache.mode === "gha-max" ? "gha mode=max" : cache.mode === "gha-min" ? "gha mode=min" : "registry mode=max";
}

/** A whole new workflow file: the parts a user may edit (name, triggers, permissions) and the generated jobs section. */
export function renderGithubWorkflow(input: RenderInput): string {
  const header = [
    "# Docker images: built with BuildKit caching as `shipshape ci` chose it from measurements (docs/ci.md).",
    `# Cache: ${describeCache(input.cache)}`,
    "# Everything outside the generated section is yours: `shipshape ci --write` keeps it.",
  ];
  // The Actions cache (actions/cache, BuildKit's gha exporter) uses the runner's own token: no permission needed for it.
  const permissions: Record<string, string> = { contents: "read" };
  if (input.cache.mode === "registry" && input.registry === undefined) permissions.packages = "write";
  const top = stringify(
    {
      name: "docker",
      on: { push: { branches: [input.defaultBranch] }, pull_request: null, workflow_dispatch: null },
      permissions,
      concurrency: { group: "docker-${{ github.ref }}", "cancel-in-progress": true },
    },
    YAML_OPTIONS,
  ).replace(/: null$/gm, ":");
  return `${header.join("\n")}\n${top}jobs:\n${renderSection({ body: renderGithubJobs(input), indent: "  " })}`;
}

export function describeCache(cache: CacheDecision): string {
  const mode = describeCacheShort(cache);
  return `${mode}: ${cache.reason}`;
}

/** The job of the .gitlab-ci.yml generated section. */
export function renderGitlabJob(input: RenderInput): string {
  const tag = ciImageTag("$TARGET");
  const registry = input.registry ?? "$CI_REGISTRY_IMAGE";
  const cacheRef = `${registry}/$TARGET:buildcache`;
  const job = {
    stage: "build",
    image: "docker:27",
    services: ["docker:27-dind"],
    variables: { DOCKER_TLS_CERTDIR: "/certs" },
    parallel: { matrix: [{ TARGET: input.builds.map((build) => build.bakeTarget) }] },
    cache: { key: "shipshape-metrics-$TARGET", paths: [underWorkdir(input, ".shipshape/metrics.db")], when: "always" },
    before_script: [
      ...(input.workdir === "." ? [] : [`cd ${input.workdir}`]),
      "apk add --no-cache nodejs npm",
      `npm install --global shipshape@${input.shipshapeVersion}`,
      input.registry === undefined
        ? 'echo "$CI_REGISTRY_PASSWORD" | docker login --username "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"'
        : `echo "$REGISTRY_PASSWORD" | docker login --username "$REGISTRY_USER" --password-stdin ${registryHost(input.registry)}`,
      "docker buildx create --use --driver docker-container",
    ],
    script: [
      "started=$(date +%s)",
      [
        `set -- --set "$TARGET.tags=${tag}" --set "$TARGET.cache-from=type=registry,ref=${cacheRef}-$CI_COMMIT_REF_SLUG" --set "$TARGET.cache-from=type=registry,ref=${cacheRef}"`,
        'if [ "$CI_COMMIT_BRANCH" = "$CI_DEFAULT_BRANCH" ]; then',
        `  set -- "$@" --set "$TARGET.cache-to=type=registry,ref=${cacheRef},mode=max,image-manifest=true,oci-mediatypes=true"`,
        "else",
        `  set -- "$@" --set "$TARGET.cache-to=type=registry,ref=${cacheRef}-$CI_COMMIT_REF_SLUG,mode=min,image-manifest=true,oci-mediatypes=true"`,
        "fi",
        `docker buildx bake --file ${input.bakeFile} --load "$@" "$TARGET"`,
      ].join("\n"),
      'echo "BUILD_SECONDS=$(( $(date +%s) - started ))" >> shipshape-build.env',
      `shipshape layers ${tag} --ci --db .shipshape/metrics.db`,
      ...(input.budgets ? ["shipshape monitor . --sizes"] : []),
      `shipshape history . --db .shipshape/metrics.db --image ${tag} --fail-on-regression ${input.failOnRegression}`,
    ],
    after_script: [
      [
        ...(input.workdir === "." ? [] : [`cd ${input.workdir}`]),
        ". ./shipshape-build.env 2>/dev/null || true",
        `size=$(docker image inspect --format '{{.Size}}' "${tag}" 2>/dev/null || echo "not built")`,
        'printf "| %s | %s | %s |\\n" "$TARGET" "$size" "${BUILD_SECONDS:-?}" > "shipshape-summary-$TARGET.md"',
      ].join("\n"),
    ],
    artifacts: { when: "always", paths: [underWorkdir(input, "shipshape-summary-*.md")], expire_in: "30 days" },
  };
  return stringify({ "shipshape-images": job }, YAML_OPTIONS);
}

/** A docker-bake.hcl with one target per build (the repository has none). */
export function renderBakeFile(images: readonly CiImage[], builds: readonly CiBuild[]): string {
  const byName = new Map(images.map((image) => [image.name, image]));
  const blocks = [`group "default" {\n  targets = [${builds.map((build) => hclString(build.bakeTarget)).join(", ")}]\n}`];
  for (const build of builds) {
    const image = byName.get(build.image);
    if (image === undefined) continue;
    const lines = [`  context    = ${hclString(image.context)}`, `  dockerfile = ${hclString(image.dockerfile)}`];
    if (build.stage !== undefined) lines.push(`  target     = ${hclString(build.stage)}`);
    blocks.push(`target ${hclString(build.bakeTarget)} {\n${lines.join("\n")}\n}`);
  }
  return `${blocks.join("\n\n")}\n`;
}
