// Issue 5 acceptance, exclusivity with the router crashing mid-operation (right after a venue call
// whose answer it never sees) and a new instance taking over: from the order store alone (guard
// store lost, as in the embedded mode) or after the old instance's guardian leases expire (guard
// store kept, as with Redis). Half the scenarios run the venue's legs, half the forced guardian.

import { expect, test } from "bun:test";
import {
  type ExclusivityCounts,
  exclusivityScenarios,
  formatCounts,
  runExclusivity,
} from "./protection-exclusivity-kit.ts";

const perScenario = Number(process.env["PROTECTION_POSITIONS"] ?? 250);

test("restarted mid-run: every protected position ends with exactly one exit path", async () => {
  const all: ExclusivityCounts[] = [];
  for (const [index, scenario] of exclusivityScenarios.entries()) {
    all.push(
      await runExclusivity({
        scenario,
        seed: 301 + index,
        positions: perScenario,
        guardianForced: index % 2 === 1,
        crashPerWave: 0.5,
      }),
    );
  }
  console.log(formatCounts("restarted mid-run", all));
  expect(all.flatMap((counts) => counts.violations)).toEqual([]);
  expect(all.reduce((sum, counts) => sum + counts.positions, 0)).toBe(perScenario * 4);
  expect(all.reduce((sum, counts) => sum + counts.restarts, 0)).toBeGreaterThan(10);
}, 120_000);
