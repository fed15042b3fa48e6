import type { SnmpCollector, SnmpCollectorDeps } from "./snmp-collector.js";

/** The SNMP collector, with net-snmp loaded on the first poll rather than at process start. */
export function createLazySnmpCollector(deps: SnmpCollectorDeps): SnmpCollector {
  let collector: SnmpCollector | undefined;
  let loading: Promise<SnmpCollector> | undefined;
  let closed = false;
  return {
    async collect(device, options) {
      loading ??= import("./snmp-collector.js").then((m) => {
        collector = m.createSnmpCollector(deps);
        if (closed) collector.close();
        return collector;
      });
      return (await loading).collect(device, options);
    },
    close() {
      closed = true;
      collector?.close();
    },
  };
}
