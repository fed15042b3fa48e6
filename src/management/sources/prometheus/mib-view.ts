import type snmp from "net-snmp";
import type { SnmpClient } from "../../collectors/snmp/snmp-client.js";
import { compareOids } from "../../collectors/snmp/walk-columns.js";
import type { ValueKind } from "./mib-columns.js";

/**
 * One device's MIB objects rebuilt from Prometheus series, answering GET / GETNEXT / GETBULK like an
 * agent would (in OID order, noSuchObject / endOfMibView at the edges). The SNMP collectors run over
 * it unchanged, so the Prometheus source produces the observations the built-in poller would.
 */
export interface MibEntry {
  oid: string;
  kind: ValueKind;
  /** A number for integers and counters, a string for strings and OIDs. */
  value: number | string;
}

// SNMP types, as net-snmp reports them (kept as numbers: this view never loads net-snmp).
const TYPE: Record<ValueKind, number> = { int: 2, counter: 65, counter64: 70, string: 4, oid: 6 };
const NO_SUCH_OBJECT = 128;
const END_OF_MIB_VIEW = 130;

export function createMibView(
  agent: string,
  entries: readonly MibEntry[],
  options: { maxRepetitions?: number /** Entries already in OID order. */; sorted?: boolean } = {},
): SnmpClient {
  const maxRepetitions = options.maxRepetitions ?? 25;
  const sorted = options.sorted ? entries : [...entries].sort((a, b) => compareOids(a.oid, b.oid));
  const varbind = (e: MibEntry): snmp.Varbind => ({ oid: e.oid, type: TYPE[e.kind], value: rawValue(e) });
  /** Index of the first entry after `oid`. */
  const after = (oid: string): number => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareOids(sorted[mid]!.oid, oid) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const end = (oid: string): snmp.Varbind => ({ oid, type: END_OF_MIB_VIEW, value: null });
  let closed: string | undefined;
  const open = () => {
    if (closed !== undefined) throw new Error(closed);
  };
  return {
    agent,
    maxRepetitions,
    async get(oids) {
      open();
      return oids.map((oid) => {
        const i = after(oid) - 1;
        const e = sorted[i];
        return e && e.oid === oid ? varbind(e) : { oid, type: NO_SUCH_OBJECT, value: null };
      });
    },
    async getNext(oids) {
      open();
      return oids.map((oid) => {
        const e = sorted[after(oid)];
        return e ? varbind(e) : end(oid);
      });
    },
    async getBulk(oids, repetitions) {
      open();
      return oids.map((oid) => {
        const out: snmp.Varbind[] = [];
        let i = after(oid);
        while (out.length < repetitions) {
          const e = sorted[i++];
          if (!e) {
            out.push(end(out.at(-1)?.oid ?? oid));
            break;
          }
          out.push(varbind(e));
        }
        return out;
      });
    },
    close(reason) {
      closed = reason ?? "closed";
    },
  };
}

/**
 * A cell of a table row the Prometheus source builds without this view (see collectWithClient's
 * `given`): what the collectors' readers (values.ts) make of it is what they make of rawValue — a
 * Counter64 that is a safe integer stays a number (counter64() reads both alike), skipping the Buffer;
 * a string stays a string with its trailing NULs dropped (text() of the Buffer drops them before
 * decoding; text() of a string only trims), skipping the Buffer and the decoding back.
 */
export function cellValue(e: MibEntry): unknown {
  if (e.kind === "counter64") {
    const n = Math.max(0, Math.round(Number(e.value)));
    if (Number.isSafeInteger(n)) return n;
  }
  if (e.kind === "string") return displayString(String(e.value));
  return rawValue(e);
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** A string as text() reads its UTF-8 bytes: trailing NULs dropped, a lone surrogate as U+FFFD (any surrogate takes the round trip). */
function displayString(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0) end--;
  const out = end === s.length ? s : s.slice(0, end);
  return SURROGATE.test(out) ? Buffer.from(out, "utf8").toString("utf8") : out;
}

/** What net-snmp would hand over: Buffers for strings and Counter64, numbers, OIDs as strings. */
function rawValue(e: MibEntry): unknown {
  switch (e.kind) {
    case "string":
      return Buffer.from(String(e.value), "utf8");
    case "oid":
      return String(e.value);
    case "counter64": {
      // Prometheus keeps counters as float64: exact up to 2^53, the nearest float beyond.
      const n = BigInt(Math.max(0, Math.round(Number(e.value))));
      const hex = n.toString(16).padStart(16, "0");
      return Buffer.from(`00${hex}`, "hex");
    }
    default:
      return Number(e.value);
  }
}
