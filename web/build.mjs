// Builds web/dist: the page's script bundled with its d3 modules (esbuild, from
// node_modules pinned by package-lock.json), the HTML and the style sheet copied.
// Nothing is fetched at run time: pcnsim serve serves dist as static files.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";

const dist = new URL("./dist/", import.meta.url).pathname;
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [new URL("./src/main.js", import.meta.url).pathname],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "esm",
  target: ["es2020"],
  outfile: dist + "app.js",
  logLevel: "warning",
});
for (const file of ["index.html", "style.css"]) copyFileSync(new URL("./src/" + file, import.meta.url).pathname, dist + file);
console.log("web: built " + dist);
