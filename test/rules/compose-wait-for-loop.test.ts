import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "compose-wait-for-loop";

const withCommand = (field: "command" | "entrypoint", value: string): string =>
  ["services:", "  db:", "    image: postgres:16", "  app:", "    image: example/app:1", `    ${field}: ${value}`, "    depends_on: [db]", ""].join("\n");

describe(id, () => {
  it("flags until/while loops around readiness probes and names the dependency", () => {
    const [finding] = findingsOf({ "docker-compose.yml": withCommand("command", `sh -c "until nc -z db 5432; do sleep 1; done; npm start"`) }, id);
    assert.equal(finding?.line, 6);
    assert.equal(
      finding?.message,
      `Service app's command waits for its dependencies by hand ("until nc -z db 5432"): add a healthcheck to db and use depends_on: {db: {condition: service_healthy}} instead`,
    );
    assert.deepEqual(linesOf({ "docker-compose.yml": withCommand("command", `bash -c 'while ! pg_isready -h db -U app; do sleep 2; done && ./start'`) }, id), [6]);
    assert.deepEqual(linesOf({ "docker-compose.yml": withCommand("command", `["sh", "-c", "until curl -sf http://db:8080/health; do sleep 1; done; exec app"]`) }, id), [6]);
  });

  it("flags wait-for-it, wait-for, dockerize -wait, /wait and a leading sleep", () => {
    for (const command of ["./wait-for-it.sh db:5432 -- npm start", "sh -c './wait-for db:5432 -- npm start'", "dockerize -wait tcp://db:5432 -timeout 60s npm start", "sh -c '/wait && npm start'", "sh -c 'sleep 15 && npm start'"]) {
      assert.deepEqual(linesOf({ "docker-compose.yml": withCommand("command", JSON.stringify(command)) }, id), [6], command);
    }
  });

  it("matches the loop and sleep shapes however they are spaced, and no long line makes it backtrack", () => {
    const flagged = ["until !nc -z db 5432; do sleep 1; done", "until  ! nc -z db 5432; do sleep 1; done", "until (nc -z db 5432); do sleep 1; done", "until /bin/nc -z db 5432; do :; done", "while !nc -z db 5432; do sleep 1; done", "while  !  timeout 1 bash -c true; do sleep 1; done", "sh -c \"  sleep 5; exec app\"", "bash  -c  ' sleep 5s && exec app'", "sleep 3 && exec app"];
    for (const command of flagged) assert.deepEqual(linesOf({ "docker-compose.yml": withCommand("command", JSON.stringify(command)) }, id), [6], command);
    const ignored = ["until python main.py; do sleep 1; done", "while nc -z db 5432; do sleep 1; done", " 'sleep 5 && exec app'", `until${" ".repeat(20000)}x`, `sh -c${" ".repeat(20000)}sleep 5`];
    for (const command of ignored) assert.deepEqual(linesOf({ "docker-compose.yml": withCommand("command", JSON.stringify(command)) }, id), [], command.slice(0, 40));
  });

  it("finds the entrypoint line, which the compose model does not record", () => {
    assert.deepEqual(linesOf({ "docker-compose.yml": withCommand("entrypoint", `["/wait-for-it.sh", "db:5432", "--", "/entrypoint.sh"]`) }, id), [6]);
  });

  it("ignores worker loops and ordinary commands", () => {
    for (const command of ["sh -c 'while true; do python job.py; sleep 60; done'", "npm start", "sleep infinity", "sh -c 'until python main.py; do echo restarting; sleep 1; done'"]) {
      assert.deepEqual(linesOf({ "docker-compose.yml": withCommand("command", JSON.stringify(command)) }, id), [], command);
    }
  });
});
