// `bun run bench`: every benchmark, one after another, each in its own process so one cannot
// warm or disturb the next. Each prints its own table. Figures are reported, never asserted.

import { spawnSync } from "bun";
import { existsSync, readdirSync } from "node:fs";

const directory = "tests/bench";
const only = process.argv.slice(2);
const files = readdirSync(directory)
  .filter((name) => name.endsWith(".bench.ts"))
  .filter((name) => only.length === 0 || only.some((wanted) => name.includes(wanted)))
  .sort();

console.log(
  `machine: ${navigator.hardwareConcurrency} cores, bun ${Bun.version}, ${process.platform}/${process.arch}`,
);
let failed = 0;
for (const name of files) {
  const path = `${directory}/${name}`;
  if (!existsSync(path)) continue;
  console.log(`\n=== ${name}`);
  const result = spawnSync([process.execPath, "run", path], {
    stdout: "inherit",
    stderr: "inherit",
    env: process.env,
  });
  if (result.exitCode !== 0) {
    failed += 1;
    console.log(`(${name} exited with ${result.exitCode})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
