/**
 * Readiness: named checks, each answering ok or not with one line of detail. `/readyz` runs them
 * all and names every one in its body, so an operator sees which part is not ready, not just "503".
 */
export interface ReadinessCheck {
  name: string;
  check(): CheckResult | Promise<CheckResult>;
}

export interface CheckResult {
  ok: boolean;
  detail: string;
}

export interface Readiness {
  ok: boolean;
  checks: Array<{ name: string } & CheckResult>;
}

/** Runs every check; a check that throws (or takes longer than `timeoutMs`) counts as failed. */
export async function runChecks(checks: readonly ReadinessCheck[], timeoutMs = 5000): Promise<Readiness> {
  const results = await Promise.all(
    checks.map(async (c) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const result = await Promise.race([
          Promise.resolve().then(() => c.check()),
          new Promise<CheckResult>((resolve) => {
            timer = setTimeout(
              () => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }),
              timeoutMs,
            );
          }),
        ]);
        return { name: c.name, ...result };
      } catch (err) {
        return { name: c.name, ok: false, detail: (err as Error).message ?? String(err) };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ok: results.every((r) => r.ok), checks: results };
}

/** The /readyz body: one line per check, "ok"/"FAIL", name and detail. */
export function renderReadiness(r: Readiness): string {
  const lines = r.checks.map((c) => `${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`);
  return `${r.ok ? "ready" : "not ready"}\n${lines.join("\n")}\n`;
}
