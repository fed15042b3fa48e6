import { describe, expect, it } from "vitest";
import { editDistance, suggest } from "../../src/chat/suggest.js";

describe("suggest", () => {
  const devices = ["core-sw1", "core-sw2", "access-sw7", "db1", "fw-edge1"];

  it("measures edit distance", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("offers close names, closest first", () => {
    expect(suggest("core-sw3", devices)).toEqual(["core-sw1", "core-sw2"]);
    expect(suggest("CORE-SW1", devices)).toEqual(["core-sw1", "core-sw2"]);
    expect(suggest("cor-sw2", devices)).toEqual(["core-sw2", "core-sw1"]);
  });

  it("offers names containing what was typed", () => {
    expect(suggest("edge", devices)).toEqual(["fw-edge1"]);
  });

  it("offers nothing for unrelated words", () => {
    expect(suggest("printer", devices)).toEqual([]);
    expect(suggest("", devices)).toEqual([]);
  });
});
