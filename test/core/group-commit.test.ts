import { expect, it } from "vitest";
import { GroupCommitter } from "../../src/core/group-commit.js";

/** A committer whose flushes wait for their gate to open, then answer `answer(item)` for each item. */
function gatedCommitter(
  answer: (item: number) => number,
  options: ConstructorParameters<typeof GroupCommitter>[1],
) {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const committer = new GroupCommitter<number, number>(
    (items) =>
      new Promise((resolve) => {
        batches.push(items);
        gates.push(() => resolve(items.map(answer)));
      }),
    options,
  );
  return { committer, batches, gates };
}

it("flushes at once when idle and groups what arrives during a flush", async () => {
  const { committer, batches, gates } = gatedCommitter((i) => i * 10, { maxBatch: 3 });
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

it("runs up to maxInFlight flushes at once, each answering its own items", async () => {
  const { committer, batches, gates } = gatedCommitter((i) => -i, { maxInFlight: 2 });
  const first = committer.submit(1);
  const second = committer.submit(2);
  const rest = [3, 4].map((i) => committer.submit(i));
  // Two flushes began at once; the later items wait for a free one.
  expect(batches).toEqual([[1], [2]]);
  expect(committer.waiting).toBe(2);
  // The second flush may finish first; its item is answered, and the waiting ones go next.
  gates[1]?.();
  expect(await second).toBe(-2);
  expect(batches).toEqual([[1], [2], [3, 4]]);
  gates[0]?.();
  gates[2]?.();
  expect(await first).toBe(-1);
  expect(await Promise.all(rest)).toEqual([-3, -4]);
});

it("rejects an item its flush answers with an Error, and resolves the others of the batch", async () => {
  const failing = new GroupCommitter<number, number>(async (items) =>
    items.map((i) => (i % 2 === 0 ? new Error(`item ${i} refused`) : i)),
  );
  const results = await Promise.allSettled([1, 2, 3].map((i) => failing.submit(i)));
  expect(results).toEqual([
    { status: "fulfilled", value: 1 },
    { status: "rejected", reason: new Error("item 2 refused") },
    { status: "fulfilled", value: 3 },
  ]);
  // The committer carries on, as after a failed batch.
  expect(await failing.submit(5)).toBe(5);
});

it("starts a flush beside a running one only once minBatchBeside items wait", async () => {
  const { committer, batches, gates } = gatedCommitter((i) => i, { maxInFlight: 2, minBatchBeside: 3 });
  const results = [1, 2, 3].map((i) => committer.submit(i));
  // Idle: the first item goes at once; the next two are too few to start a second commit.
  expect(batches).toEqual([[1]]);
  expect(committer.waiting).toBe(2);
  results.push(committer.submit(4));
  expect(batches).toEqual([[1], [2, 3, 4]]);
  // A lone item beside a running flush waits until none runs, then goes whatever its count.
  results.push(committer.submit(5));
  gates[0]?.();
  await results[0];
  expect(batches).toEqual([[1], [2, 3, 4]]);
  expect(committer.waiting).toBe(1);
  gates[1]?.();
  await results[1];
  expect(batches).toEqual([[1], [2, 3, 4], [5]]);
  gates[2]?.();
  expect(await Promise.all(results)).toEqual([1, 2, 3, 4, 5]);
});
