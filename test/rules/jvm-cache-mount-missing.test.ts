import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "jvm-cache-mount-missing";

function messageOf(dockerfile: string): string {
  return findingsOf(dockerfile, id)[0]?.message ?? "";
}

describe(id, () => {
  it("flags mvn, ./mvnw, gradle and ./gradlew builds, not version checks", () => {
    const dockerfile = [
      "FROM maven:3.9-eclipse-temurin-21 AS build",
      "RUN mvn -B package -DskipTests",
      "RUN ./mvnw dependency:go-offline",
      "RUN mvn --version",
      "FROM gradle:8-jdk21 AS gradle",
      "RUN gradle build --no-daemon",
      "RUN ./gradlew bootJar",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [2, 3, 6, 7]);
    const messages = findingsOf(dockerfile, id).map((finding) => finding.message);
    assert.match(messages[0] ?? "", /`mvn` runs without a cache mount on \/root\/\.m2,.*`--mount=type=cache,target=\/root\/\.m2`/);
    assert.match(messages[2] ?? "", /target=\/root\/\.gradle`/);
  });

  it("is silent with a mount on ~/.m2, ~/.m2/repository or ~/.gradle (also /home/gradle/.gradle in the gradle image)", () => {
    const dockerfile = [
      "FROM maven:3.9",
      "RUN --mount=type=cache,target=/root/.m2 mvn package",
      "RUN --mount=type=cache,target=/root/.m2/repository mvn package",
      "FROM gradle:8-jdk21",
      "RUN --mount=type=cache,target=/home/gradle/.gradle gradle build",
      "RUN --mount=type=cache,target=~/.gradle gradle build",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("follows -Dmaven.repo.local, MAVEN_OPTS, GRADLE_USER_HOME and -g", () => {
    assert.match(messageOf("FROM maven:3.9\nRUN mvn -Dmaven.repo.local=/m2repo package\n"), /target=\/m2repo`/);
    assert.match(messageOf("FROM maven:3.9\nENV MAVEN_OPTS=\"-Xmx1g -Dmaven.repo.local=/opt/repo\"\nRUN mvn package\n"), /target=\/opt\/repo`/);
    assert.match(messageOf("FROM eclipse-temurin:21\nENV GRADLE_USER_HOME=/cache/gradle\nRUN ./gradlew build\n"), /target=\/cache\/gradle`/);
    assert.match(messageOf("FROM eclipse-temurin:21\nRUN ./gradlew -g /gh build\n"), /target=\/gh`/);
  });

  it("mounts only the repository when the Dockerfile puts settings into ~/.m2 (a mount on ~/.m2 would hide them)", () => {
    assert.match(messageOf("FROM maven:3.9\nCOPY settings.xml /root/.m2/settings.xml\nRUN mvn package\n"), /target=\/root\/\.m2\/repository`/);
    assert.match(messageOf("FROM gradle:8\nCOPY gradle.properties /root/.gradle/\nRUN gradle build\n"), /target=\/root\/\.gradle\/caches`/);
  });

  it("skips offline builds and does not fix the download step they read from", () => {
    const dockerfile = "FROM maven:3.9\nCOPY pom.xml .\nRUN mvn dependency:go-offline\nCOPY src src\nRUN mvn -o package\n";
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [3]);
    assert.equal(findings[0]?.fix, undefined);
  });

  it("fixes by inserting the mount, and the fixed file passes", () => {
    const dockerfile = "FROM maven:3.9 AS build\nRUN mvn -B package\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.ok(finding?.fix);
    const fixed = applyEdits(dockerfile, finding.fix);
    assert.equal(fixed, "FROM maven:3.9 AS build\nRUN --mount=type=cache,target=/root/.m2 mvn -B package\n");
    assert.deepEqual(linesOf(fixed, id), []);
  });

  it("is a rewrite-level fix in a shipped stage whose command runs Maven or Gradle", () => {
    const finding = findingsOf("FROM maven:3.9-eclipse-temurin-21\nCOPY . .\nRUN mvn -B package\nCMD [\"mvn\", \"spring-boot:run\"]\n", id)[0];
    assert.ok(finding?.fix);
    assert.equal(finding.fixLevel, "rewrite");
    assert.equal(findingsOf("FROM maven:3.9-eclipse-temurin-21\nCOPY . .\nRUN mvn -B package\nCMD [\"java\", \"-jar\", \"target/app.jar\"]\n", id)[0]?.fixLevel, "safe");
  });
});
