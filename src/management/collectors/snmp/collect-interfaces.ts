import type { AdminStatus, InterfaceObservation, OperStatus } from "../../observations.js";
import { IF_COLUMNS } from "./oids.js";
import type { SnmpClient } from "./snmp-client.js";
import { counter64, int, text } from "./values.js";
import { type ColumnRows, walkColumns } from "./walk-columns.js";

// Column positions in the walk below; keep in step with COLUMNS.
const DESCR = 0;
const SPEED = 1;
const ADMIN = 2;
const OPER = 3;
const LAST_CHANGE = 4;
const IN_OCTETS = 5;
const IN_DISCARDS = 6;
const IN_ERRORS = 7;
const OUT_OCTETS = 8;
const OUT_DISCARDS = 9;
const OUT_ERRORS = 10;
const NAME = 11;
const HC_IN = 12;
const HC_OUT = 13;
const HIGH_SPEED = 14;
const ALIAS = 15;

/** The walked columns, in the order a row holds their values (see toInterface). */
export const INTERFACE_COLUMNS: readonly string[] = [
  IF_COLUMNS.ifDescr,
  IF_COLUMNS.ifSpeed,
  IF_COLUMNS.ifAdminStatus,
  IF_COLUMNS.ifOperStatus,
  IF_COLUMNS.ifLastChange,
  IF_COLUMNS.ifInOctets,
  IF_COLUMNS.ifInDiscards,
  IF_COLUMNS.ifInErrors,
  IF_COLUMNS.ifOutOctets,
  IF_COLUMNS.ifOutDiscards,
  IF_COLUMNS.ifOutErrors,
  IF_COLUMNS.ifName,
  IF_COLUMNS.ifHCInOctets,
  IF_COLUMNS.ifHCOutOctets,
  IF_COLUMNS.ifHighSpeed,
  IF_COLUMNS.ifAlias,
];

const OPER_STATUS: readonly OperStatus[] = [
  "unknown",
  "up",
  "down",
  "testing",
  "unknown",
  "dormant",
  "notPresent",
  "lowerLayerDown",
];
const ADMIN_STATUS: readonly (AdminStatus | undefined)[] = [undefined, "up", "down", "testing"];

/**
 * IF-MIB ifTable + ifXTable, walked as one 16-column bulk walk. `ifNumber` (when the poll already
 * read it) sizes the walk's requests.
 */
export async function collectInterfaces(
  client: SnmpClient,
  ifNumber?: number,
): Promise<InterfaceObservation[]> {
  const rows = await walkColumns(
    client,
    INTERFACE_COLUMNS,
    ifNumber !== undefined && ifNumber > 0 ? { expectedRows: ifNumber } : {},
  );
  return interfacesFromRows(rows);
}

/**
 * Walked rows (raw values in INTERFACE_COLUMNS order) → observations in ifIndex order. Also used on
 * rows built straight from another source's data (the Prometheus source), so both read alike.
 */
export function interfacesFromRows(rows: ColumnRows): InterfaceObservation[] {
  const interfaces: InterfaceObservation[] = [];
  for (const [index, row] of rows) {
    const ifIndex = Number(index);
    // Only ifTable rows are interfaces; an ifXTable-only index (or a multi-part one) is not.
    if (
      !Number.isInteger(ifIndex) ||
      (row[OPER] === undefined && row[ADMIN] === undefined && row[DESCR] === undefined)
    ) {
      continue;
    }
    interfaces.push(toInterface(ifIndex, row));
  }
  interfaces.sort((a, b) => a.ifIndex - b.ifIndex);
  return interfaces;
}

/** One walked row → observation. Exported for tests. */
export function toInterface(ifIndex: number, row: readonly unknown[]): InterfaceObservation {
  const descr = text(row[DESCR]);
  const hcIn = counter64(row[HC_IN]);
  const hcOut = counter64(row[HC_OUT]);
  const hc = hcIn !== undefined && hcOut !== undefined;
  const highSpeed = int(row[HIGH_SPEED]);
  const speed = int(row[SPEED]);
  return {
    ifIndex,
    name: text(row[NAME]) || descr,
    descr,
    alias: text(row[ALIAS]),
    adminStatus: ADMIN_STATUS[int(row[ADMIN]) ?? 0] ?? "down",
    operStatus: OPER_STATUS[int(row[OPER]) ?? 0] ?? "unknown",
    lastChangeCs: int(row[LAST_CHANGE]) ?? 0,
    speedMbps: highSpeed ?? (speed !== undefined ? speed / 1_000_000 : 0),
    inErrors: int(row[IN_ERRORS]) ?? 0,
    outErrors: int(row[OUT_ERRORS]) ?? 0,
    inDiscards: int(row[IN_DISCARDS]) ?? 0,
    outDiscards: int(row[OUT_DISCARDS]) ?? 0,
    inOctets: hc ? hcIn : BigInt(int(row[IN_OCTETS]) ?? 0),
    outOctets: hc ? hcOut : BigInt(int(row[OUT_OCTETS]) ?? 0),
    counterBits: hc ? 64 : 32,
  };
}
