/**
 * Smoke version of the webhook load benchmark (bench/load.ts): the real server on loopback takes 200
 * signed deliveries, 8 in flight, without an error. No timing assertions: `npm run bench` measures.
 */
import { expect, it } from "vitest";
import { runLoadBench } from "../../bench/load.js";

it("the real server answers 200 signed deliveries without an error, memory measured", async () => {
  const result = await runLoadBench(200, 8);
  expect(result).toMatchObject({ events: 200, non2xx: 0 });
  expect(result.eventsPerSecond).toBeGreaterThan(0);
  expect(Number.isFinite(result.rssBeforeMiB) && Number.isFinite(result.rssAfterMiB)).toBe(true);
}, 120_000);
