// Issue 5 acceptance, exclusivity over the simulator with the venue's own legs (spot OCO lists,
// futures algo orders; the guardian only as backstop and fallback): 1,000 protected positions
// across calm, trend_up, trend_down and gap_down with lost/late cancels, lost placements and event
// duplicates, reorders and stream drops. Seeded and reproducible; prints the counts.

import { expect, test } from "bun:test";
import {
  type ExclusivityCounts,
  exclusivityScenarios,
  formatCounts,
  runExclusivity,
} from "./protection-exclusivity-kit.ts";

const perScenario = Number(process.env["PROTECTION_POSITIONS"] ?? 250);

test("venue legs: every protected position ends with exactly one exit path", async () => {
  const all: ExclusivityCounts[] = [];
  for (const [index, scenario] of exclusivityScenarios.entries()) {
    all.push(
      await runExclusivity({
        scenario,
        seed: 101 + index,
        positions: perScenario,
        guardianForced: false,
        crashPerWave: 0,
      }),
    );
  }
  console.log(formatCounts("venue legs", all));
  expect(all.flatMap((counts) => counts.violations)).toEqual([]);
  expect(all.reduce((sum, counts) => sum + counts.positions, 0)).toBe(perScenario * 4);
}, 120_000);
