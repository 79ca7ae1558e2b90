import type { DockerfileModel, Instruction, RunInstruction, ShellCommand } from "../dockerfile/model.ts";
import { isCopyOrAdd, isRun } from "../dockerfile/model.ts";
import { hasOption, optionValue } from "./queries.ts";
import { checkCacheMounts, commandVariable, configuredNeed, homeNeed, instructionsUpTo } from "./support/cache-mounts.ts";
import type { CacheNeed, RunEnvironment } from "./support/cache-mounts.ts";
import type { DockerfileRule } from "./types.ts";

// Maven and Gradle download every dependency (and the wrappers their own distribution) into
// ~/.m2 and ~/.gradle. Each time the build layer is rebuilt, after any source change, those
// start empty and the whole dependency tree is downloaded again. A cache mount keeps them.
export const rule: DockerfileRule = {
  meta: {
    id: "jvm-cache-mount-missing",
    description: "Maven or Gradle build without a BuildKit cache mount on ~/.m2 or ~/.gradle downloads every dependency again on each rebuild.",
    impact: "medium",
    category: "cache",
    scope: "dockerfile",
    hadolint: [],
    fixable: true,
    fixLevel: "safe",
  },
  check({ dockerfile }) {
    return checkCacheMounts(dockerfile, {
      consequence: "downloads every dependency again",
      // `mvn spring-boot:run`, `gradle bootRun`: the build tool resolves dependencies at start-up.
      readAtStartup: (command) => ["mvn", "mvnw", "gradle", "gradlew"].includes(command.name.split("/").pop() ?? ""),
      needsOf(command, env, run) {
        if (isInfoOnly(command) || offline(command)) return undefined;
        const need = cacheOf(dockerfile, command, env, run);
        return need && { label: command.name, needs: [need] };
      },
      // `mvn dependency:go-offline` then `mvn -o package`: the second reads what the first downloaded.
      offlineNeeds(command, env, run) {
        const need = offline(command) ? cacheOf(dockerfile, command, env, run) : undefined;
        return need && [need];
      },
    });
  },
};

function cacheOf(model: DockerfileModel, command: ShellCommand, env: RunEnvironment, run: RunInstruction): CacheNeed | undefined {
  const isMaven = command.name === "mvn" || command.name === "mvnw";
  const isGradle = command.name === "gradle" || command.name === "gradlew";
  if (!isMaven && !isGradle) return undefined;
  const stage = model.stages[run.stageIndex];
  const earlier = stage ? instructionsUpTo(model, stage, run).filter((instruction) => instruction !== run) : [];
  return isMaven ? mavenRepository(command, env, run, earlier.some((instruction) => writesInto(instruction, ".m2"))) : gradleHome(command, env, run, earlier.some((instruction) => writesInto(instruction, ".gradle")));
}

function offline(command: ShellCommand): boolean {
  return hasOption(command, "-o", "--offline");
}

/** `mvn -v`, `gradle --version`: nothing is downloaded. */
function isInfoOnly(command: ShellCommand): boolean {
  return command.args.length > 0 && command.args.every((arg) => ["-v", "--version", "-version", "-h", "--help", "-q", "--quiet"].includes(arg));
}

/**
 * A COPY into ~/.m2 or ~/.gradle, or a RUN writing settings there (settings.xml,
 * gradle.properties, init scripts): a cache mount on the whole directory would hide them.
 */
function writesInto(instruction: Instruction, directory: ".m2" | ".gradle"): boolean {
  const escaped = directory.replace(".", "\\.");
  if (isCopyOrAdd(instruction)) return new RegExp(`(^|/)${escaped}(/|$)`).test(instruction.destination);
  return isRun(instruction) && new RegExp(`${escaped}/(settings|settings-security|toolchains)\\.xml|${escaped}/(gradle\\.properties|init\\.d|init\\.gradle)`).test(instruction.shell.source);
}

/**
 * -Dmaven.repo.local (on the command line or in MAVEN_OPTS), else ~/.m2/repository. The mount
 * goes on ~/.m2 (which also keeps the Maven wrapper's download) unless the Dockerfile puts
 * files there; then on ~/.m2/repository.
 */
function mavenRepository(command: ShellCommand, env: RunEnvironment, run: RunInstruction, writesM2: boolean): CacheNeed {
  const label = "Maven repository";
  const property = /^-Dmaven\.repo\.local=(.+)$/;
  const fromArgs = (args: string[]): string | undefined => args.map((arg) => property.exec(arg)?.[1]).find((value) => value !== undefined);
  const configured = fromArgs(command.args) ?? fromArgs((commandVariable("MAVEN_OPTS", env, run, command) ?? "").split(/\s+/));
  const repository = (): CacheNeed => homeNeed(label, env, ".m2/repository");
  if (configured !== undefined) return configuredNeed(label, env, configured, repository);
  if (writesM2) return repository();
  return { ...homeNeed(label, env, ".m2"), within: repository().target };
}

/**
 * -g / --gradle-user-home, GRADLE_USER_HOME, else ~/.gradle (the gradle images link
 * /root/.gradle to /home/gradle/.gradle); ~/.gradle/caches when the Dockerfile puts
 * gradle.properties or init scripts into ~/.gradle.
 */
function gradleHome(command: ShellCommand, env: RunEnvironment, run: RunInstruction, writesGradleHome: boolean): CacheNeed {
  const label = "Gradle user home";
  const configured = optionValue(command, "-g") ?? optionValue(command, "--gradle-user-home") ?? commandVariable("GRADLE_USER_HOME", env, run, command);
  const fallback = (): CacheNeed => {
    const home = homeNeed(label, env, writesGradleHome ? ".gradle/caches" : ".gradle");
    if (env.baseImage !== "gradle") return home;
    return { ...home, alternatives: writesGradleHome ? ["/root/.gradle/caches", "/home/gradle/.gradle/caches"] : ["/root/.gradle", "/home/gradle/.gradle"] };
  };
  return configured === undefined ? fallback() : configuredNeed(label, env, configured, fallback);
}
