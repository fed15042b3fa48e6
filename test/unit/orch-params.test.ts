import { describe, expect, it } from "vitest";
import { maskedParams, resolveParams } from "../../src/orchestration/params.js";
import type { ParamSpec } from "../../src/orchestration/runbooks/schema.js";

const p = (spec: Partial<ParamSpec> & Pick<ParamSpec, "type">): ParamSpec => ({ secret: false, ...spec });
const env = { devices: ["web1", "Core-SW1"] };

describe("parameters", () => {
  const specs = {
    version: p({ type: "string", pattern: "v\\d+\\.\\d+" }),
    count: p({ type: "int", default: 2 }),
    force: p({ type: "bool", default: false }),
    mode: p({ type: "enum", choices: ["fast", "safe"], default: "safe" }),
    host: p({ type: "device" }),
    pause: p({ type: "duration", default: "30s" }),
    token: p({ type: "string", secret: true, required: false }),
  };

  it("normalises typed values and applies defaults", () => {
    const r = resolveParams(specs, { version: "v1.2", host: "core-sw1", force: "yes", count: "007" }, env);
    expect(r.errors).toEqual([]);
    expect(r.values).toEqual({
      version: "v1.2",
      count: "7",
      force: "true",
      mode: "safe",
      host: "Core-SW1",
      pause: "30s",
    });
    expect(r.secrets).toEqual(["token"]);
  });

  it("refuses a value over the documented length, naming the parameter and the limit", () => {
    const ok = resolveParams(specs, { version: "v1.2", host: "web1", token: "t".repeat(1000) }, env);
    expect(ok.errors).toEqual([]);
    const long = resolveParams(specs, { version: "v1.2", host: "web1", token: "t".repeat(1001) }, env);
    expect(long.errors).toEqual(["parameter token: is 1,001 characters long; at most 1,000 are accepted"]);
  });

  it("reports every problem at once", () => {
    const r = resolveParams(
      specs,
      { version: "1.2; rm -rf /", count: "two", mode: "yolo", pause: "soon", extra: "1" },
      env,
    );
    expect(r.errors).toEqual([
      "unknown parameter extra (expected one of: version, count, force, mode, host, pause, token)",
      'parameter version: "1.2; rm -rf /" does not match /v\\d+\\.\\d+/',
      'parameter count: expected an integer, got "two"',
      'parameter mode: expected one of fast, safe, got "yolo"',
      "parameter host is required (device)",
      'parameter pause: expected a duration such as 30s or 5m, got "soon"',
    ]);
  });

  it("refuses NUL and line breaks whatever the type", () => {
    for (const bad of ["a\nb", "a\rb", "a\0b"]) {
      const r = resolveParams({ s: p({ type: "string" }) }, { s: bad }, env);
      expect(r.errors[0]).toMatch(/NUL|line break/);
      expect(r.values.s).toBeUndefined();
    }
  });

  it("never echoes a secret that fails its pattern", () => {
    const r = resolveParams(
      { t: p({ type: "string", secret: true, pattern: "[a-z]+" }) },
      { t: "S3cret!" },
      env,
    );
    expect(r.errors[0]).not.toContain("S3cret");
    expect(maskedParams({ t: "x", u: "y" }, ["t"])).toEqual({ t: "••••••", u: "y" });
  });
});
