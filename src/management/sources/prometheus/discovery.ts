import type { SeriesSink } from "./prometheus-api.js";

/** One device a `discover` query found: its device-label value, and the site and tags its labels give. */
export interface DiscoveredDevice {
  value: string;
  site: string | undefined;
  tags: string[];
}

export interface DiscoveryLabels {
  device_label: string;
  site_label?: string | undefined;
  tag_labels: readonly string[];
}

/**
 * Collects a `discover` answer (e.g. `up{job="snmp"}`, one series per device) straight from the
 * scanned series: only the device, site and tag label values are kept — no object per series with
 * every label, which for a 50,000-device fleet was most of what discovery held. A device seen in
 * several series keeps the first one's site and tags; a series without the device label is skipped.
 */
export function createDiscoverySink(
  labels: DiscoveryLabels,
): SeriesSink & { devices: Map<string, DiscoveredDevice> } {
  const devices = new Map<string, DiscoveredDevice>();
  const wanted = (key: string) => key === labels.site_label || labels.tag_labels.includes(key);
  return {
    devices,
    add(pairs) {
      let value: string | undefined;
      for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === labels.device_label) value = pairs[i + 1];
      if (value === undefined || devices.has(value)) return;
      let site: string | undefined;
      const byLabel = new Map<string, string>();
      for (let i = 0; i < pairs.length; i += 2) {
        const key = pairs[i]!;
        if (!wanted(key)) continue;
        if (key === labels.site_label) site = pairs[i + 1];
        byLabel.set(key, pairs[i + 1]!);
      }
      // Tags in tag_labels order, empty values dropped (as the labels' absence).
      const tags = labels.tag_labels.map((l) => byLabel.get(l)).filter((t): t is string => !!t);
      devices.set(value, { value, site, tags });
    },
  };
}
