import { describe, expect, it } from "vitest";
import {
  parseTemplate,
  renderShell,
  renderText,
  shellPlacementErrors,
} from "../../src/orchestration/template.js";

const vars = { params: { x: "a b", q: "it's" }, target: { name: "web1", host: "10.0.0.1" }, runId: 7 };

describe("templates", () => {
  it("inserts every value single-quoted in shell commands", () => {
    expect(renderShell("deploy {{ params.x }} --to={{target.host}} #{{ run.id }}", vars)).toBe(
      "deploy 'a b' --to='10.0.0.1' #'7'",
    );
    expect(renderShell("echo {{ params.q }}", vars)).toBe("echo 'it'\\''s'");
  });

  it("substitutes plain text outside the shell", () => {
    expect(renderText("lock-{{ target.name }}-{{ params.x }}", vars)).toBe("lock-web1-a b");
  });

  it("masks chosen references", () => {
    expect(
      renderShell("login {{ params.q }}", vars, (r) => (r.kind === "param" ? "'••••'" : undefined)),
    ).toBe("login '••••'");
  });

  it("refuses unknown expressions and missing values", () => {
    expect(parseTemplate("{{ params.x | raw }}").errors[0]).toContain("unknown placeholder");
    expect(parseTemplate("echo {{ params.x }").errors[0]).toContain("unbalanced");
    expect(() => renderShell("echo {{ params.nope }}", vars)).toThrow('parameter "nope" has no value');
    expect(() => renderShell("echo {{ target.name }}", { params: {} })).toThrow("without a target");
  });

  it("flags placements where quoting would not hold", () => {
    expect(shellPlacementErrors("echo {{ params.x }} 'literal' \"ok\" \\'")).toEqual([]);
    expect(shellPlacementErrors("echo '{{ params.x }}'")[0]).toContain("inside quotes");
    expect(shellPlacementErrors('echo "a {{ params.x }}"')[0]).toContain("inside quotes");
    expect(shellPlacementErrors("echo $'{{ params.x }}'")[0]).toContain("inside quotes");
    expect(shellPlacementErrors("echo \\{{ params.x }}")[0]).toContain("backslash");
    expect(shellPlacementErrors("echo ${{ params.x }}")[0]).toContain('"$"');
    expect(shellPlacementErrors("cat <<EOF\n{{ params.x }}\nEOF")[0]).toContain("here-document");
    expect(shellPlacementErrors("cat <<< {{ params.x }}")).toEqual([]);
    expect(shellPlacementErrors("echo 'open")).toEqual([]);
    expect(shellPlacementErrors("echo 'open {{ params.x }}")).toContain("unterminated quote in command");
  });
});
