// Builds frontend/dist (served at /assets): our Sass compiled against GOV.UK Frontend,
// the GOV.UK Frontend script, its images, and our own static files and script.
// Plain Node and the sass package: no bundler, so a clean build takes a couple of seconds.
import { cp, mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
const govuk = join(here, "node_modules", "govuk-frontend", "dist", "govuk");

async function buildCss() {
  const result = await sass.compileAsync(join(here, "scss", "app.scss"), {
    style: "compressed",
    loadPaths: [join(here, "node_modules")],
    importers: [new sass.NodePackageImporter(here)],
    sourceMap: false,
    // GOV.UK Frontend's own deprecation notices are for it to act on, not for our build log.
    quietDeps: true,
  });
  await mkdir(join(dist, "css"), { recursive: true });
  await writeFile(join(dist, "css", "app.css"), result.css);
}

// The API docs page (/api/docs) runs Swagger UI from these copies of the pinned npm package,
// under the service's own Content-Security-Policy: no CDN, and it works offline.
async function copySwaggerUi() {
  const from = join(here, "node_modules", "swagger-ui-dist");
  const to = join(dist, "swagger-ui");
  await mkdir(to, { recursive: true });
  await Promise.all(
    ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"].map((name) =>
      cp(join(from, name), join(to, name)),
    ),
  );
}

async function copyFiles() {
  await mkdir(join(dist, "js"), { recursive: true });
  await Promise.all([
    cp(join(govuk, "govuk-frontend.min.js"), join(dist, "js", "govuk-frontend.min.js")),
    cp(join(govuk, "assets", "images"), join(dist, "images"), { recursive: true }),
    cp(join(govuk, "assets", "manifest.json"), join(dist, "manifest.json")),
    cp(join(here, "js", "app.js"), join(dist, "js", "app.js")),
    cp(join(here, "js", "api-docs.js"), join(dist, "js", "api-docs.js")),
    copySwaggerUi(),
  ]);
  // Our own favicon and manifest go last so they replace GOV.UK's crown icons:
  // this service is not on GOV.UK and must not carry the crown.
  await cp(join(here, "static"), dist, { recursive: true });
}

const started = Date.now();
await rm(dist, { recursive: true, force: true });
await Promise.all([buildCss(), copyFiles()]);
console.log(`frontend/dist built in ${Date.now() - started} ms`);
