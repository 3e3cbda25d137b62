// The PostgreSQL leg selects its tests by how they open their store (scripts/store-tests.mjs), so a
// test that opens one in another way must say it runs on SQLite only, or it would silently skip
// PostgreSQL.
import { expect, it } from "vitest";
// @ts-expect-error: a plain ES module of the scripts folder, without types.
import { storeTests } from "../scripts/store-tests.mjs";

it("finds no test that opens a store without the shared helpers and without saying it runs on SQLite only", () => {
  const { both, undeclared } = storeTests() as { both: string[]; undeclared: string[] };
  expect(undeclared).toEqual([]);
  expect(both).toContain("test/storage/conformance/store.test.ts");
  expect(both).toContain("test/delivery.test.ts");
});
