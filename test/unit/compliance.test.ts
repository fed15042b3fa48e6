import { describe, expect, it } from "vitest";
import { checkCompliance, findBaseline } from "../../src/management/compliance.js";

const baselines = {
  "WS-C3850-48P": { min: "16.12.4" },
  "N9K-C93180YC-EX": { exact: "9.3(10)" },
  MX204: { min: "21.4R3-S5" },
  "C9300-*": { min: "17.9.4" },
};

describe("firmware compliance", () => {
  it("accepts versions at or above the minimum", () => {
    expect(checkCompliance("WS-C3850-48P", "16.12.4", baselines).status).toBe("compliant");
    expect(checkCompliance("WS-C3850-48P", "16.12.10a", baselines).status).toBe("compliant");
    expect(checkCompliance("MX204", "21.4R3-S5.4", baselines).status).toBe("compliant");
  });

  it("flags versions below the minimum with the rule that applied", () => {
    const r = checkCompliance("WS-C3850-48P", "16.9.8", baselines);
    expect(r).toEqual({
      status: "below",
      baseline: { model: "WS-C3850-48P", rule: "min", version: "16.12.4" },
    });
    expect(checkCompliance("MX204", "21.4R3-S4", baselines).status).toBe("below");
  });

  it("requires an exact version to match, older or newer", () => {
    expect(checkCompliance("N9K-C93180YC-EX", "9.3(10)", baselines).status).toBe("compliant");
    expect(checkCompliance("N9K-C93180YC-EX", "9.3(9)", baselines).status).toBe("mismatch");
    expect(checkCompliance("N9K-C93180YC-EX", "9.3(11)", baselines).status).toBe("mismatch");
  });

  it("matches models case-insensitively and by wildcard", () => {
    expect(findBaseline("ws-c3850-48p", baselines)?.model).toBe("WS-C3850-48P");
    expect(checkCompliance("C9300-48UXM", "17.9.3", baselines).status).toBe("below");
    expect(checkCompliance("C9300-48UXM", "17.9.4a", baselines).status).toBe("compliant");
  });

  it("says unknown when a baseline applies but the version cannot be read", () => {
    expect(checkCompliance("MX204", undefined, baselines).status).toBe("unknown");
    expect(checkCompliance("MX204", "n/a", baselines).status).toBe("unknown");
  });

  it("says no-baseline for models without one", () => {
    expect(checkCompliance("DCS-7050SX3", "4.28.3M", baselines)).toEqual({ status: "no-baseline" });
    expect(checkCompliance(undefined, "4.28.3M", baselines)).toEqual({ status: "no-baseline" });
  });
});
