import { describe, expect, it } from "vitest";
import { parseRunbookAnnotation } from "../../src/management/alertmanager/runbook-annotation.js";

describe("opsbot_runbook annotation", () => {
  it("reads RUNBOOK key=value …, quoted values whole", () => {
    expect(parseRunbookAnnotation("service-restart host=db01:9100 service=nginx")).toEqual({
      ok: true,
      runbook: "service-restart",
      params: { host: "db01:9100", service: "nginx" },
    });
    expect(parseRunbookAnnotation(`web-deploy reason="disk full; rm -rf /" ref='a b'`)).toEqual({
      ok: true,
      runbook: "web-deploy",
      params: { reason: "disk full; rm -rf /", ref: "a b" },
    });
    expect(parseRunbookAnnotation("  diag  ")).toEqual({ ok: true, runbook: "diag", params: {} });
  });

  it.each([
    ["", "empty"],
    ["service-restart host={{ $labels.instance }}", "unexpanded template"],
    ["--dry-run service-restart", "not a runbook name"],
    ["'service-restart' host=a", "not a runbook name"],
    ["service-restart db01", `"db01" is not a key=value parameter`],
    ["service-restart --force", "not a key=value parameter"],
    ["service-restart host=a host=b", "host is given twice"],
    ["service-restart 9x=1", "not a key=value parameter"],
    [`service-restart host="db01`, "Unterminated double quote"],
    ["x".repeat(1001), "longer than 1000"],
  ])("refuses %j (%s)", (text, problem) => {
    const r = parseRunbookAnnotation(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toContain(problem);
  });
});
