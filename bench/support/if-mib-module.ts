import { stringify } from "yaml";

/**
 * snmp_exporter's stock `if_mib` module (generator.yml upstream: walk the interfaces group and
 * ifXTable, every column a metric labelled by ifIndex with ifAlias/ifDescr/ifName looked up), written
 * out for the snmp_exporter 0.21 config format (auth inside the module): Debian ships snmp.yml empty
 * for licensing reasons, so the bench writes the module itself.
 */
const IF_TABLE: [string, number, string][] = [
  ["ifIndex", 1, "gauge"],
  ["ifDescr", 2, "DisplayString"],
  ["ifType", 3, "gauge"],
  ["ifMtu", 4, "gauge"],
  ["ifSpeed", 5, "gauge"],
  ["ifPhysAddress", 6, "PhysAddress48"],
  ["ifAdminStatus", 7, "gauge"],
  ["ifOperStatus", 8, "gauge"],
  ["ifLastChange", 9, "gauge"],
  ["ifInOctets", 10, "counter"],
  ["ifInUcastPkts", 11, "counter"],
  ["ifInNUcastPkts", 12, "counter"],
  ["ifInDiscards", 13, "counter"],
  ["ifInErrors", 14, "counter"],
  ["ifInUnknownProtos", 15, "counter"],
  ["ifOutOctets", 16, "counter"],
  ["ifOutUcastPkts", 17, "counter"],
  ["ifOutNUcastPkts", 18, "counter"],
  ["ifOutDiscards", 19, "counter"],
  ["ifOutErrors", 20, "counter"],
  ["ifOutQLen", 21, "gauge"],
];
const IF_X_TABLE: [string, number, string][] = [
  ["ifName", 1, "DisplayString"],
  ["ifInMulticastPkts", 2, "counter"],
  ["ifInBroadcastPkts", 3, "counter"],
  ["ifOutMulticastPkts", 4, "counter"],
  ["ifOutBroadcastPkts", 5, "counter"],
  ["ifHCInOctets", 6, "counter"],
  ["ifHCInUcastPkts", 7, "counter"],
  ["ifHCInMulticastPkts", 8, "counter"],
  ["ifHCInBroadcastPkts", 9, "counter"],
  ["ifHCOutOctets", 10, "counter"],
  ["ifHCOutUcastPkts", 11, "counter"],
  ["ifHCOutMulticastPkts", 12, "counter"],
  ["ifHCOutBroadcastPkts", 13, "counter"],
  ["ifLinkUpDownTrapEnable", 14, "gauge"],
  ["ifHighSpeed", 15, "gauge"],
  ["ifPromiscuousMode", 16, "gauge"],
  ["ifConnectorPresent", 17, "gauge"],
  ["ifAlias", 18, "DisplayString"],
  ["ifCounterDiscontinuityTime", 19, "gauge"],
];
const IF_TABLE_OID = "1.3.6.1.2.1.2.2.1";
const IF_X_TABLE_OID = "1.3.6.1.2.1.31.1.1.1";

const lookups = [
  ["ifAlias", `${IF_X_TABLE_OID}.18`],
  ["ifDescr", `${IF_TABLE_OID}.2`],
  ["ifName", `${IF_X_TABLE_OID}.1`],
].map(([labelname, oid]) => ({ labels: ["ifIndex"], labelname, oid, type: "DisplayString" }));

function column(table: string, [name, n, type]: [string, number, string]) {
  return {
    name,
    oid: `${table}.${n}`,
    type,
    help: `${name} from IF-MIB`,
    indexes: [{ labelname: "ifIndex", type: "gauge" }],
    lookups,
  };
}

export function ifMibConfig(community: string, maxRepetitions = 25): string {
  const module = {
    walk: ["1.3.6.1.2.1.2", "1.3.6.1.2.1.31.1.1"],
    get: ["1.3.6.1.2.1.1.3.0"],
    metrics: [
      { name: "sysUpTime", oid: "1.3.6.1.2.1.1.3", type: "gauge", help: "sysUpTime from SNMPv2-MIB" },
      { name: "ifNumber", oid: "1.3.6.1.2.1.2.1", type: "gauge", help: "ifNumber from IF-MIB" },
      ...IF_TABLE.map((c) => column(IF_TABLE_OID, c)),
      ...IF_X_TABLE.map((c) => column(IF_X_TABLE_OID, c)),
    ],
    version: 2,
    max_repetitions: maxRepetitions,
    retries: 1,
    timeout: "10s",
    auth: { community },
  };
  return stringify({ if_mib: module }, { lineWidth: 0 });
}
