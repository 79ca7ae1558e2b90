import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "curl-pipe-shell";

describe(id, () => {
  it("flags downloads piped into a shell or interpreter reading stdin", () => {
    const dockerfile = [
      "FROM debian",
      "RUN curl -fsSL https://deb.nodesource.com/setup_22.x | bash -",
      "RUN wget -qO- https://get.example.com | sh",
      "RUN curl -sSL https://install.python-poetry.org | python3 -",
      "RUN curl -fsSL https://example.com/install.sh | sudo -E bash -s -- --version 1.2",
      "RUN sh -c 'curl -fsSL https://example.com/i.sh | sh'",
      'RUN ["/bin/sh", "-c", "curl -fsSL https://example.com/i.sh | bash"]',
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [2, 3, 4, 5, 6, 7]);
    assert.match(findingsOf(dockerfile, id)[0]?.message ?? "", /`curl https:\/\/deb\.nodesource\.com\/setup_22\.x \| bash`/);
  });

  it("flags command and process substitution of a download", () => {
    const dockerfile = ['FROM debian', 'RUN sh -c "$(curl -fsSL https://example.com/install.sh)"', "RUN bash <(curl -s https://example.com/x.sh)", 'RUN eval "$(wget -qO- https://example.com/env)"'].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [2, 3, 4]);
  });

  it("does not flag pipes into other programs, or shells running a file", () => {
    const dockerfile = [
      "FROM debian",
      "RUN curl -fsSL https://example.com/key.asc | gpg --dearmor -o /usr/share/keyrings/example.gpg",
      "RUN curl -fsSL https://example.com/app.tgz | tar -xz -C /opt",
      "RUN curl -fsSLo /tmp/install.sh https://example.com/install.sh && echo \"abc  /tmp/install.sh\" | sha256sum -c - && sh /tmp/install.sh",
      "RUN echo 'echo hi' | sh",
      "RUN curl -fsSL https://example.com/x | bash -c 'cat > /tmp/x'",
      "RUN curl -fsSL https://example.com/data.json | python3 -c 'import json,sys; json.load(sys.stdin)'",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("reports once per RUN, listing every case", () => {
    const findings = findingsOf("FROM debian\nRUN curl -fsSL https://a.example/i.sh | sh && wget -qO- https://b.example/j.sh | bash\n", id);
    assert.equal(findings.length, 1);
    assert.match(findings[0]?.message ?? "", /a\.example.*b\.example/);
  });
});
