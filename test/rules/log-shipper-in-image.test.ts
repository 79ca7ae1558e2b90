import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "log-shipper-in-image";

describe(id, () => {
  it("flags shippers installed with the package manager, with the estimate", () => {
    const dockerfile = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends filebeat curl\nCMD [\"gunicorn\", \"app:app\"]\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.equal(finding?.line, 2);
    assert.match(finding?.message ?? "", /^filebeat \(apt-get install\) is a log shipper inside the application image/);
    assert.equal(finding?.estimatedSavingMB, 100);
  });

  it("flags downloads, .deb installs, gems and agent images copied in", () => {
    assert.match(findingsOf('FROM debian:bookworm-slim\nRUN DD_API_KEY=x bash -c "$(curl -L https://install.datadoghq.com/scripts/install_script_agent7.sh)"\n', id)[0]?.message ?? "", /^datadog-agent \(downloaded with curl\)/);
    assert.deepEqual(linesOf("FROM debian:bookworm-slim\nRUN curl -LO https://artifacts.elastic.co/downloads/beats/filebeat/filebeat-8.15.0-amd64.deb && dpkg -i filebeat-8.15.0-amd64.deb\n", id), [2]);
    assert.deepEqual(linesOf("FROM ruby:3.4-slim\nRUN gem install fluentd --no-document\n", id), [2]);
    assert.match(findingsOf("FROM node:22-slim\nCOPY --from=fluent/fluent-bit:3.1 /fluent-bit /fluent-bit\n", id)[0]?.message ?? "", /fluent\/fluent-bit \(COPY --from=fluent\/fluent-bit:3\.1\)/);
  });

  it("ignores images that are the shipper, build stages and client libraries", () => {
    assert.deepEqual(linesOf("FROM fluent/fluentd:v1.17-1\nRUN gem install fluent-plugin-elasticsearch\n", id), []);
    assert.deepEqual(linesOf('FROM debian:bookworm-slim\nRUN apt-get install -y fluent-bit\nCMD ["fluent-bit", "-c", "/etc/fluent-bit/fluent-bit.conf"]\n', id), []);
    assert.deepEqual(linesOf("FROM debian:bookworm-slim AS tools\nRUN apt-get install -y filebeat\nFROM debian:bookworm-slim\nCOPY app /app\n", id), []);
    assert.deepEqual(linesOf("FROM python:3.12-slim\nRUN pip install ddtrace fluent-logger datadog\n", id), []);
  });
});
