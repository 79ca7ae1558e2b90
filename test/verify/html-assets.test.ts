import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareAssets, htmlAssetPaths } from "../../src/verify/html-assets.ts";

const VITE_BUILD = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <link rel="icon" type="image/svg+xml" href="/vite.svg" />
    <title>Shop</title>
    <script type="module" crossorigin src="/assets/index-BdE4x9.js"></script>
    <link rel="modulepreload" crossorigin href="/assets/vendor-9f8e.js">
    <link rel=stylesheet href="assets/index-Cq1.css?v=2#top">
    <link rel="preconnect" href="https://fonts.example.com">
    <link rel="canonical" href="/home">
    <!-- <script src="/commented-out.js"></script> -->
  </head>
  <body>
    <img src='/logo.png' alt="">
    <img src="data:image/png;base64,AAAA">
    <script src="//cdn.example.com/lib.js"></script>
    <script src="https://other.example.com/x.js"></script>
    <script src="/assets/index-BdE4x9.js"></script>
    <a href="/about">About</a>
  </body>
</html>`;

describe("htmlAssetPaths", () => {
  it("lists what a browser fetches from the same server: scripts, preloads, stylesheets, icons, images; once each, in order", () => {
    assert.deepEqual(htmlAssetPaths(VITE_BUILD, "/"), ["/vite.svg", "/assets/index-BdE4x9.js", "/assets/vendor-9f8e.js", "/assets/index-Cq1.css?v=2", "/logo.png"]);
  });

  it("resolves relative references against the page's path and decodes entities", () => {
    assert.deepEqual(htmlAssetPaths('<script src="app.js?a=1&amp;b=2"></script><link rel="stylesheet" href="../s.css">', "/docs/guide/index.html"), ["/docs/guide/app.js?a=1&b=2", "/docs/s.css"]);
  });

  it("finds nothing in a page without assets", () => {
    assert.deepEqual(htmlAssetPaths("<p>hello</p>", "/"), []);
  });
});

describe("compareAssets", () => {
  it("makes AFTER's failing assets differences and BEFORE's notes", () => {
    const differences = compareAssets(
      [{ page: "/", assets: [{ path: "/@vite/client", status: 500 }] }],
      [{ page: "/", assets: [{ path: "/assets/a.js", status: 200 }, { path: "/assets/b.css", status: 404 }, { path: "/c.png", error: "ECONNRESET" }] }],
    );
    assert.deepEqual(
      differences.map((difference) => [difference.severity, difference.subject, difference.before ?? difference.after]),
      [
        ["difference", "GET /assets/b.css", "HTTP 404"],
        ["difference", "GET /c.png", "ECONNRESET"],
        ["note", "GET /@vite/client", "HTTP 500"],
      ],
    );
  });
});
