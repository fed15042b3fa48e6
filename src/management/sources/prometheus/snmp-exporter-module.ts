import { stringify } from "yaml";
import { exporterType, MIB_COLUMNS } from "./mib-columns.js";

/**
 * The snmp_exporter module that exports exactly what opsbot's collectors read (generated from
 * MIB_COLUMNS, so the two cannot drift). Format of snmp_exporter 0.21–0.22 (Debian 12): `auth` inside
 * the module; from 0.23 move it under a top-level `auths:` and pass `auth=` on the scrape.
 */
export function snmpExporterModule(options: { community: string; maxRepetitions?: number }) {
  // Walk each table entry (or scalar group) once rather than column by column: an agent answers ~16
  // walks instead of ~75, and snmp_exporter keeps only the metrics listed below.
  const walk = [...new Set(MIB_COLUMNS.map((c) => c.oid.slice(0, c.oid.lastIndexOf("."))))];
  return {
    walk,
    metrics: MIB_COLUMNS.map((c) => ({
      name: c.name,
      oid: c.oid,
      type: exporterType(c.kind),
      help: `${c.name} (${c.oid}) — read by opsbot's ${c.group} collector`,
      ...(c.indexes.length > 0
        ? { indexes: c.indexes.map((labelname) => ({ labelname, type: "gauge" })) }
        : {}),
    })),
    version: 2,
    max_repetitions: options.maxRepetitions ?? 25,
    retries: 1,
    timeout: "5s",
    auth: { community: options.community },
  };
}

/** A whole snmp.yml: one module per name (modules differ only in their community). */
export function renderSnmpExporterConfig(modules: Record<string, { community: string }>): string {
  const out: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(modules)) out[name] = snmpExporterModule(m);
  return stringify(out, { lineWidth: 0 });
}
