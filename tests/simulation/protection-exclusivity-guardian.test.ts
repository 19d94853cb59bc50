// Issue 5 acceptance, exclusivity with the guardian forced on (S4_OCO_GUARDIAN=true, and futures
// stops emulated too): a take-profit limit or a watched target plus a guardian stop on every
// position, under the same faults. Cancel the take-profit first, sell only what is left.

import { expect, test } from "bun:test";
import {
  type ExclusivityCounts,
  exclusivityScenarios,
  formatCounts,
  runExclusivity,
} from "./protection-exclusivity-kit.ts";

const perScenario = Number(process.env["PROTECTION_POSITIONS"] ?? 250);

test("guardian forced: every protected position ends with exactly one exit path", async () => {
  const all: ExclusivityCounts[] = [];
  for (const [index, scenario] of exclusivityScenarios.entries()) {
    all.push(
      await runExclusivity({
        scenario,
        seed: 201 + index,
        positions: perScenario,
        guardianForced: true,
        crashPerWave: 0,
      }),
    );
  }
  console.log(formatCounts("guardian forced", all));
  expect(all.flatMap((counts) => counts.violations)).toEqual([]);
  expect(all.reduce((sum, counts) => sum + counts.positions, 0)).toBe(perScenario * 4);
  expect(all.reduce((sum, counts) => sum + counts.guardianExits, 0)).toBeGreaterThan(0);
}, 120_000);
