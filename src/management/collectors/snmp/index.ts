/** The SNMP collection layer: the only part of opsbot's management side that speaks net-snmp. */
export {
  ALL_SNMP_COLLECTORS,
  type CollectOptions,
  createSnmpCollector,
  type SnmpCollector,
  type SnmpCollectorDeps,
  type SnmpCollectorName,
} from "./snmp-collector.js";
export { parseSysDescr, type SysDescrInfo } from "./sysdescr.js";
