import { expect, it } from "vitest";
import { GroupCommitter } from "../src/ingest/group-commit.js";

it("flushes at once when idle and groups what arrives during a flush", async () => {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const committer = new GroupCommitter<number, number>(
    (items) =>
      new Promise((resolve) => {
        batches.push(items);
        gates.push(() => resolve(items.map((i) => i * 10)));
      }),
    3,
  );
  const results = [1, 2, 3, 4, 5, 6].map((i) => committer.submit(i));
  expect(batches).toEqual([[1]]);
  expect(committer.waiting).toBe(5);
  gates.shift()?.();
  await results[0];
  expect(batches).toEqual([[1], [2, 3, 4]]);
  gates.shift()?.();
  await results[3];
  gates.shift()?.();
  expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50, 60]);
  expect(batches).toEqual([[1], [2, 3, 4], [5, 6]]);
});

it("rejects every item of a failed batch and carries on with the next", async () => {
  let calls = 0;
  const committer = new GroupCommitter<number, number>(async (items) => {
    calls++;
    if (calls === 1) throw new Error("disk on fire");
    return items;
  });
  await expect(committer.submit(1)).rejects.toThrow("disk on fire");
  expect(await committer.submit(2)).toBe(2);
});
