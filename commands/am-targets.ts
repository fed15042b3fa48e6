import { UsageError } from "../src/lib/errors.js";

/** `am:12` — an Alertmanager group as `silence`, `unsilence` and `ack` name it (the id its message shows). */
export function amGroupId(target: string): number | undefined {
  const m = /^am:(\d{1,12})$/i.exec(target.trim());
  if (m) return Number(m[1]);
  if (/^am:/i.test(target.trim()))
    throw new UsageError(
      `"${target}" is not an Alertmanager group; write am:ID with the id its message shows.`,
    );
  return undefined;
}

/** An opsbot id argument that may also be `am:ID`: the plain id as a number, or a clear usage error. */
export function plainId(value: string, what: string): number {
  if (!/^\d{1,12}$/.test(value.trim()))
    throw new UsageError(
      `"${value}" is not a ${what} id (a number, am:ID for an Alertmanager group${
        what === "silence" ? ", or an Alertmanager silence id" : ""
      }).`,
    );
  return Number(value);
}
