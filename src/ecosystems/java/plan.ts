// Java: Maven or Gradle with the dependency cache mounted, dependencies resolved from the build
// files only, the application jar copied to a fixed path, and a JRE (not JDK) runtime of the
// same Java version.
import { subcommand } from "../../rules/queries.ts";
import { buildArgumentLines, dependencyEnvironmentLines } from "../original.ts";
import type { OriginalCommand } from "../original.ts";
import type { PlannedStages, PlannerInput } from "../plan-types.ts";
import { applicationDirectory, checkCopies } from "../plan-types.ts";
import { aptInstall, cachedRun, copyFrom, copyLine } from "../render.ts";
import { metadataLines, startupLines, unrecognisedCommands, userLines } from "../runtime.ts";
import { NONROOT } from "../go/plan.ts";
import { isBuildOnlyPackage } from "../node/project.ts";

const JAR = "app.jar";
const JAVA_IMAGES = new Set(["maven", "gradle", "eclipse-temurin", "openjdk", "amazoncorretto", "ibm-semeru-runtimes", "sapmachine"]);

type JavaTool = "maven" | "gradle";

function toolOf(name: string): JavaTool | undefined {
  const base = name.split("/").at(-1) ?? name;
  if (base === "mvn" || base === "mvnw") return "maven";
  if (base === "gradle" || base === "gradlew") return "gradle";
  return undefined;
}

export function isJavaBuild(input: PlannerInput): boolean {
  const name = input.original.base.name.replace(/^library\//, "");
  return JAVA_IMAGES.has(name) || input.original.commands.some(({ command }) => toolOf(command.name) !== undefined);
}

/** The Java feature version of a JDK/build image tag: `3.9-eclipse-temurin-21` -> 21, `21-jdk-jammy` -> 21, `8.5-jdk17` -> 17. */
export function javaVersion(image: string, tag: string | undefined): string | undefined {
  if (tag === undefined) return undefined;
  if (image === "maven") return /(?:temurin|openjdk|corretto|sapmachine|semeru)-(\d+)/.exec(tag)?.[1] ?? /-(\d+)-/.exec(`${tag}-`)?.[1];
  if (image === "gradle") return /jdk-?(\d+)/.exec(tag)?.[1];
  return /^(\d+)/.exec(tag)?.[1];
}

/** Ubuntu/Debian variant suffix of the build image to keep the JRE on the same distribution (`-jammy`). */
function distributionSuffix(tag: string | undefined): string {
  const match = /-(jammy|noble|focal|alpine|ubi\d+-minimal)$/.exec(tag ?? "");
  return match ? `-${match[1]}` : "";
}

export function planJava(input: PlannerInput): PlannedStages | undefined {
  if (!isJavaBuild(input)) return undefined;
  const { original, files, options, messages } = input;
  const builds: OriginalCommand[] = [];
  const unknown: OriginalCommand[] = [];
  for (const entry of original.commands) (toolOf(entry.command.name) ? builds : unknown).push(entry);
  const buildEntry = builds.find(({ command }) => !/dependency:(go-offline|resolve)/.test(command.args.join(" ")));
  if (!buildEntry) return undefined;
  const tool = toolOf(buildEntry.command.name) as JavaTool;
  unrecognisedCommands(unknown, messages);
  const workdir = applicationDirectory(input);
  checkCopies(input, workdir);

  const image = original.base.name.replace(/^library\//, "");
  const version = javaVersion(image, original.base.tag);
  let runtimeImage: string;
  if (version === undefined) {
    runtimeImage = original.baseText;
    messages.review.push(`Could not tell the Java version of ${original.base.raw}; the runtime stage uses it unchanged. Use the JRE image of the same version.`);
  } else {
    runtimeImage = `eclipse-temurin:${version}-jre${distributionSuffix(original.base.tag)}`;
    if (image !== "eclipse-temurin" && image !== "maven" && image !== "gradle") messages.review.push(`${original.base.raw} becomes ${runtimeImage}: same Java version, possibly another vendor's build.`);
  }

  const wrapper = buildEntry.command.name.includes("w");
  const cacheTarget = tool === "maven" ? "/root/.m2" : image === "gradle" ? "/home/gradle/.gradle" : "/root/.gradle";
  const manifestFiles =
    tool === "maven"
      ? ["pom.xml", ...(wrapper ? ["mvnw"] : [])].filter((file) => files.has(file))
      : ["build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradle.properties", "gradle.lockfile", ...(wrapper ? ["gradlew"] : [])].filter((file) => files.has(file));
  const wrapperDirectory = tool === "maven" ? ".mvn" : "gradle";
  const runTool = buildEntry.command.argv[0] ?? (tool === "maven" ? "mvn" : "gradle");
  const resolve = tool === "maven" ? `${runTool} -B dependency:go-offline` : `${runTool} --no-daemon dependencies`;
  const multiModule = files.named(tool === "maven" ? "pom.xml" : "build.gradle").length + files.named("build.gradle.kts").length > 1;
  if (multiModule) messages.review.push("Multi-module build: the dependency stage copies the root build files only; copy each module's build file too, or dependencies are resolved again in the build stage.");

  const deps: string[] = [];
  const buildPackages = original.aptPackages.filter(isBuildOnlyPackage);
  if (buildPackages.length > 0) deps.push(aptInstall(buildPackages));
  deps.push(`WORKDIR ${workdir}`, ...dependencyEnvironmentLines(original));
  deps.push(copyLine(manifestFiles, "./"));
  if (wrapper && files.paths.some((file) => file.startsWith(`${wrapperDirectory}/`))) deps.push(`COPY ${wrapperDirectory} ${wrapperDirectory}`);
  deps.push(cachedRun([cacheTarget], resolve));

  const outputDirectory = tool === "maven" ? "target" : "build/libs";
  // Spring Boot's Gradle plugin also writes a `-plain.jar` without dependencies; Maven may leave `original-*.jar`.
  const pickJar = `mkdir -p /out && find ${outputDirectory} -maxdepth 1 -name '*.jar' ! -name '*-plain.jar' ! -name 'original-*' ! -name '*-sources.jar' ! -name '*-javadoc.jar' -exec cp {} /out/${JAR} \\;`;
  const build = ["COPY . .", ...buildArgumentLines(original), cachedRun([cacheTarget], `${buildEntry.command.text} && ${pickJar}`)];
  messages.review.push(`The build stage copies the jar it finds in ${outputDirectory}/ to ${workdir}/${JAR}; if the build makes several jars, name the right one.`);

  const runtime: string[] = [];
  const runtimePackages = original.aptPackages.filter((name) => !isBuildOnlyPackage(name));
  if (runtimePackages.length > 0) {
    runtime.push(aptInstall(runtimePackages));
    messages.notes.push(`The original installs ${runtimePackages.join(", ")} with apt; the runtime stage keeps them.`);
  }
  runtime.push(`WORKDIR ${workdir}`, copyFrom("build", `/out/${JAR}`, `${workdir}/${JAR}`, options), ...userLines(original, NONROOT, messages, true));
  runtime.push(...metadataLines(original, messages, true));
  const jarPath = new RegExp(`(^|/)(${outputDirectory.replace("/", "\\/")})/[^/]+\\.jar$`);
  runtime.push(
    ...startupLines(
      original,
      {
        hasShell: true,
        rewrite: (argv) => {
          const index = argv.findIndex((word) => jarPath.test(word));
          if (index < 0) return undefined;
          return argv.map((word, position) => (position === index ? `${workdir}/${JAR}` : word));
        },
      },
      messages,
    ),
  );
  if (!original.cmd && !original.entrypoint) messages.review.push("The original sets no CMD; the runtime image has none either.");
  const toolName = subcommand(buildEntry.command) === undefined ? runTool : buildEntry.command.text;
  messages.notes.push(`Stages: deps (${resolve}, ${cacheTarget} cached), build (${toolName}), runtime on ${runtimeImage} with ${workdir}/${JAR} only (JRE, no JDK or build tool).`);
  return {
    ecosystem: "java",
    stages: [
      { from: original.baseText, name: "deps", purpose: "Dependencies: build files only, so they are resolved again only when those change.", lines: deps },
      { from: "deps", name: "build", purpose: "Build: package the application jar with the dependency cache mounted.", lines: build },
      { from: runtimeImage, purpose: `Runtime: ${runtimeImage}, same Java version, JRE only.`, lines: runtime },
    ],
  };
}
