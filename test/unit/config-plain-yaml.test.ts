import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { readPlainYaml } from "../../src/config/plain-yaml.js";

/**
 * The config loader reads a clean opsbot.yaml with js-yaml (no token tree, no Document) and falls
 * back to the yaml library's Document for anything it is not sure of and for every error. These
 * pin that both read a document alike (config.test.ts: errors in a large device list still name
 * the device, the field and the line).
 */
const yamlToJs = (source: string) => parseDocument(source, { uniqueKeys: true }).toJS();

const SHIPPED = [
  "opsbot.example.yaml",
  "demo/opsbot.demo.yaml",
  "runbooks/firmware-upgrade.yaml",
  "runbooks/service-restart.yaml",
  "runbooks/web-deploy.yaml",
  "test/fixtures/runbooks/valid-restart.yaml",
  "slack-app-manifest.yaml",
];

const SCALARS = [
  "1",
  "-12",
  "+7",
  "007",
  "0o17",
  "0o8",
  "0x1F",
  "0xg",
  "0b101",
  "1_000",
  "1.5",
  "1.",
  ".5",
  "-.5e3",
  "1e3",
  "1E-3",
  ".inf",
  "-.Inf",
  "+.INF",
  ".nan",
  ".NaN",
  "nan",
  "true",
  "True",
  "TRUE",
  "tRUE",
  "false",
  "yes",
  "no",
  "on",
  "off",
  "y",
  "~",
  "null",
  "Null",
  "NULL",
  "nULL",
  "2024-01-02",
  "2024-01-02T03:04:05Z",
  "12:30:00",
  "1:20",
  "<<",
  "=",
  "0 */5 * * *",
  "9007199254740993",
  "123456789012345678901234567890",
];

describe("readPlainYaml reads what the yaml library reads", () => {
  it.each(SHIPPED)("%s", (file) => {
    const source = readFileSync(file, "utf8");
    const plain = readPlainYaml(source);
    expect(plain).toBeDefined();
    expect(plain).toEqual(yamlToJs(source));
  });

  it("resolves every plain scalar as the core schema does, and quoted ones as strings", () => {
    for (const s of SCALARS) {
      for (const written of [s, `'${s}'`, `"${s}"`]) {
        const source = `k: ${written}\nlist: [${written}]\n`;
        const plain = readPlainYaml(source);
        expect({ written, plain }).toEqual({ written, plain: yamlToJs(source) });
      }
    }
  });

  it("reads block scalars, flow collections, comments, quoting and keys alike", () => {
    const source = `# a comment
top:
  literal: |
    line one
      indented
    last
  folded: >-
    folded
    text

  keep: |+
    kept

  escaped: "tab\\there \\u00e9 \\x41 \\" quote"
  single: 'it''s'
  flow: { a: 1, b: [x, "y", 3.0], c: {} }
  empty:
  emptylist: []
  1: numeric key
  true: bool key
  1.50: float key
  0x1F: hex key
  .inf: inf key
  "quoted key": v
  multi word key: v
  url: http://host:9090/path?a=1&b=2
  colon: "a: b"
  unicode: "Zürich — 東京"
  tagged: !!str 123
  taggedint: !!int "42"
  merge:
    <<: { a: 1 }
    b: 2
seq:
  - a
  -
    - nested
  - k: v
    k2: v2
`;
    const plain = readPlainYaml(source);
    expect(plain).toBeDefined();
    expect(plain).toEqual(yamlToJs(source));
  });

  it("a scalar explicit key and a collection value read alike (only collection keys are declined)", () => {
    for (const source of [
      "? a\n: b\n",
      "m: { ? a : b }\n",
      "k: [a]\nj: {b: [1]}\n",
      'u: "http://[::1]:9090" # [x]: y\n',
    ]) {
      expect({ source, plain: readPlainYaml(source) }).toEqual({ source, plain: yamlToJs(source) });
    }
  });

  it("an empty document reads as null, as the yaml library's", () => {
    expect(readPlainYaml("")).toBeNull();
    expect(readPlainYaml("# only a comment\n")).toBeNull();
    expect(yamlToJs("# only a comment\n")).toBeNull();
  });

  it("declines what it might read differently, leaving it to the yaml library", () => {
    // %YAML 1.1 switches the yaml library to the 1.1 schema (yes/no booleans).
    expect(readPlainYaml("%YAML 1.1\n---\nk: yes\n")).toBeUndefined();
    // Anchors: the yaml library bounds how far aliases expand.
    expect(readPlainYaml("a: &x { b: 1 }\nc: *x\n")).toBeUndefined();
    expect(readPlainYaml("a: &x 1\n")).toBeUndefined();
    // Errors of every kind: the yaml library says where.
    expect(readPlainYaml("k: 1\nk: 2\n")).toBeUndefined();
    expect(readPlainYaml("roles:\n  admin: [alice\n")).toBeUndefined();
    expect(readPlainYaml("k: !!timestamp 2024-01-01\n")).toBeUndefined();
    expect(readPlainYaml("k: !custom x\n")).toBeUndefined();
    expect(readPlainYaml("a: 1\n---\nb: 2\n")).toBeUndefined();
    // Keys the two libraries stringify differently: null, collections, explicit keys.
    for (const source of [
      "~: x\n",
      "null: x\n",
      ": x\n",
      "a: { null: x }\n",
      "[a]: 1\n",
      "{a: 1}: x\n",
      "? [a]\n: b\n",
      "? [a] # c\n\n: b\n",
      "m: { ? [a] : b }\n",
    ]) {
      expect({ source, plain: readPlainYaml(source) }).toEqual({ source, plain: undefined });
    }
    expect(readPlainYaml("k:\n\t- tab\n")).toBeUndefined();
  });
});
