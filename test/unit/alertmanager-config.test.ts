import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";

const problems = (yaml: string): string => {
  try {
    parseConfig(yaml, "opsbot.yaml", {});
  } catch (err) {
    return (err as { details: string[] }).details.join("\n");
  }
  return "";
};

describe("alertmanager.api", () => {
  it("takes a URL with bearer or basic credentials from the environment, and a timeout", () => {
    const c = parseConfig(
      "alertmanager:\n  bearer_token_env: AM_HOOK\n  api: { url: http://am:9093, basic_auth: { username: opsbot, password_env: AM_PW } }\n",
      "opsbot.yaml",
      {},
    );
    expect(c.alertmanager?.api).toEqual({
      url: "http://am:9093",
      basic_auth: { username: "opsbot", password_env: "AM_PW" },
      timeout: "10s",
      interval: "1m",
    });
  });

  it("names every bad key", () => {
    const text = problems(
      "alertmanager:\n  bearer_token_env: AM_HOOK\n  api: { url: not-a-url, bearer_token_env: T, basic_auth: { username: u, password_env: P }, timeout: soon, token: x }\n",
    );
    expect(text).toContain("alertmanager.api");
    expect(text).toMatch(/token/);
    const both = problems(
      "alertmanager:\n  bearer_token_env: AM_HOOK\n  api: { url: http://am:9093, bearer_token_env: T, basic_auth: { username: u, password_env: P } }\n",
    );
    expect(both).toContain("alertmanager.api.basic_auth");
    expect(both).toContain("not both");
    expect(
      problems("alertmanager:\n  bearer_token_env: AM_HOOK\n  api: { url: http://am:9093, timeout: soon }\n"),
    ).toContain("alertmanager.api.timeout");
  });
});
