import { describe, expect, it } from "vitest";
import { tokenize } from "../../src/chat/tokenize.js";
import type { OpsbotError } from "../../src/lib/errors.js";

const values = (text: string) =>
  tokenize(text).map((t) => (t.key === undefined ? t.value : `${t.key}=${t.value}`));

describe("tokenize", () => {
  it("splits on any whitespace and ignores repeats", () => {
    expect(values("  links   core-sw1\tGi1/0/1 ")).toEqual(["links", "core-sw1", "Gi1/0/1"]);
  });

  it("groups double- and single-quoted text, including chat clients' smart quotes", () => {
    expect(values(`silence core-sw1 2h "planned maintenance"`)).toEqual([
      "silence",
      "core-sw1",
      "2h",
      "planned maintenance",
    ]);
    expect(values("say 'it''s'")).toEqual(["say", "its"]);
    expect(values("say \u201Chello world\u201D")).toEqual(["say", "hello world"]);
  });

  it("splits key=value at the first '=' so URLs and base64 stay whole", () => {
    const tokens = tokenize("run deploy url=https://x.example/a?b=c&d=e token=YWJjZA== empty=");
    expect(tokens.slice(2)).toEqual([
      { key: "url", value: "https://x.example/a?b=c&d=e", quoted: false },
      { key: "token", value: "YWJjZA==", quoted: false },
      { key: "empty", value: "", quoted: false },
    ]);
  });

  it("allows a quoted value after key= and keeps escapes", () => {
    expect(tokenize(`run x msg="a \\"b\\" = c"`)[2]).toEqual({
      key: "msg",
      value: 'a "b" = c',
      quoted: true,
    });
  });

  it("does not treat a quoted a=b as key=value", () => {
    expect(tokenize(`find "a=b"`)[1]).toEqual({ value: "a=b", quoted: true });
  });

  it("rejects an unterminated quote and says where", () => {
    expect(() => tokenize(`run x msg="oops`)).toThrowError(/Unterminated double quote at character 11/);
    try {
      tokenize("say 'x");
    } catch (err) {
      expect((err as OpsbotError).code).toBe("USAGE");
    }
  });
});
