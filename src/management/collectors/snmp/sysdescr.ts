/**
 * What a sysDescr says about the box, for devices without ENTITY-MIB (and to fill an empty
 * software revision when they have one). Pure: one string in, the fields it could find out.
 */
export interface SysDescrInfo {
  vendor?: string;
  os?: string;
  version?: string;
  model?: string;
}

type Rule = (d: string) => SysDescrInfo | undefined;

const pick = (d: string, re: RegExp): string | undefined => re.exec(d)?.[1]?.replace(/[,;]$/, "");

const RULES: Rule[] = [
  // Cisco NX-OS: "Cisco NX-OS(tm) n9000, Software (n9000-dk9), Version 9.3(10), RELEASE SOFTWARE …"
  (d) =>
    /Cisco NX-OS/i.test(d)
      ? {
          vendor: "Cisco",
          os: "NX-OS",
          version: pick(d, /Version\s+([\w.()-]+)/),
          model: pick(d, /NX-OS(?:\(tm\))?\s+([\w-]+),/),
        }
      : undefined,
  // Cisco ASA: "Cisco Adaptive Security Appliance Version 9.8(4)32"
  (d) =>
    /Cisco Adaptive Security Appliance/i.test(d)
      ? { vendor: "Cisco", os: "ASA", version: pick(d, /Version\s+([\w.()-]+)/) }
      : undefined,
  // Cisco IOS-XE: "Cisco IOS Software [Amsterdam], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.3.4, …"
  // and the older "Cisco IOS Software, IOS-XE Software, … Version 03.06.06.E RELEASE SOFTWARE (fc1)".
  (d) =>
    /Cisco IOS/i.test(d) && /IOS[-_ ]?XE/i.test(d)
      ? { vendor: "Cisco", os: "IOS-XE", version: pick(d, /Version\s+([\w.()-]+)/), model: ciscoPlatform(d) }
      : undefined,
  // Cisco IOS: "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E3, RELEASE …"
  // and the classic "Cisco Internetwork Operating System Software IOS (tm) C2950 Software (…), Version 12.1(22)EA14, …"
  (d) =>
    /Cisco IOS|Cisco Internetwork Operating System|IOS \(tm\)/i.test(d)
      ? { vendor: "Cisco", os: "IOS", version: pick(d, /Version\s+([\w.()-]+)/), model: ciscoPlatform(d) }
      : undefined,
  // Juniper: "Juniper Networks, Inc. ex4300-48t Ethernet Switch, kernel JUNOS 20.4R3-S2.6, Build date: …"
  (d) =>
    /JUNOS/i.test(d)
      ? {
          vendor: "Juniper",
          os: "Junos",
          version: pick(d, /JUNOS\s+([\w.-]+)/i),
          model: pick(d, /Juniper Networks, Inc\.\s+([\w.-]+)/i),
        }
      : undefined,
  // Arista: "Arista Networks EOS version 4.28.3M running on an Arista Networks DCS-7050SX3-48YC8"
  (d) =>
    /Arista Networks EOS/i.test(d)
      ? {
          vendor: "Arista",
          os: "EOS",
          version: pick(d, /EOS version\s+([\w.-]+)/i),
          model: pick(d, /running on an Arista Networks\s+([\w.-]+)/i),
        }
      : undefined,
  // ArubaOS (controllers, Instant): "ArubaOS (MODEL: 7010), Version 8.6.0.4 (74969)"
  (d) =>
    /^ArubaOS/i.test(d)
      ? {
          vendor: "Aruba",
          os: "ArubaOS",
          version: pick(d, /Version\s+([\d.]+)/),
          model: pick(d, /MODEL:\s*([\w.-]+)\)/),
        }
      : undefined,
  // ArubaOS-Switch / ProCurve: "HP J9728A 2920-48G Switch, revision WB.16.02.0012, ROM WB.16.03 (…)"
  (d) => {
    const m = /^(HPE?|Aruba|ProCurve)\s+(\w+)\s.*?revision\s+([A-Z]{1,2}\.\d+\.\d+\.\d+)/i.exec(d);
    return m ? { vendor: vendorName(m[1]!), os: "ArubaOS-Switch", version: m[3], model: m[2] } : undefined;
  },
  // ArubaOS-CX: "Aruba JL658A 6300M 24SFP+ 4SFP56 Swch FL.10.08.1010"
  (d) => {
    const m = /^(HPE?|Aruba)\s+(\w+)\s.*?\b([A-Z]{2}\.\d{2}\.\d{2}\.\d{4})\b/i.exec(d);
    return m ? { vendor: vendorName(m[1]!), os: "ArubaOS-CX", version: m[3], model: m[2] } : undefined;
  },
  // Comware: "HPE Comware Platform Software, Software Version 7.1.070, Release 3506P02 …"
  (d) => {
    if (!/Comware/i.test(d)) return undefined;
    const base = pick(d, /Software Version\s+([\w.-]+)/i);
    const release = pick(d, /Release\s+(\w+)/i);
    return {
      vendor: /^H3C/i.test(d) ? "H3C" : "HPE",
      os: "Comware",
      version: base && release ? `${base} Release ${release}` : base,
    };
  },
  // MikroTik: "RouterOS CCR2004-1G-12S+2XS" — no version in sysDescr (read from MIKROTIK-MIB instead).
  (d) =>
    /^RouterOS\b/i.test(d)
      ? {
          vendor: "MikroTik",
          os: "RouterOS",
          model: pick(d, /^RouterOS\s+(\S+)/i),
          version: pick(d, /\bv?(\d+\.\d+(?:\.\d+)?)\b/),
        }
      : undefined,
  // Dell OS10: "Dell EMC Networking OS10-Enterprise. … OS Version: 10.5.2.6. System Type: S5248F-ON"
  (d) =>
    /OS Version:/i.test(d) && /Dell/i.test(d)
      ? {
          vendor: "Dell",
          os: "OS10",
          version: pick(d, /OS Version:\s*([\w-]+(?:\.[\w-]+)*)/i),
          model: pick(d, /System Type:\s*([\w-]+)/i),
        }
      : undefined,
  // Dell OS9 / FTOS: "Dell Networking OS … Application Software Version: 9.14(2.4) Series: S4048-ON"
  (d) =>
    /Application Software Version:/i.test(d)
      ? {
          vendor: "Dell",
          os: "OS9",
          version: pick(d, /Application Software Version:\s*([\w.()-]+)/i),
          model: pick(d, /Series:\s*([\w-]+)/i),
        }
      : undefined,
  // Dell N-series: "Dell Networking N3048P, 6.5.4.8, Linux 4.14.138"
  (d) => {
    const m = /^Dell (?:EMC )?Networking\s+(N[\w-]+),\s*([\d.]+)/i.exec(d);
    return m ? { vendor: "Dell", os: "DNOS", model: m[1], version: m[2] } : undefined;
  },
  // Ruckus / Brocade ICX: "Ruckus Wireless, Inc. ICX7150-48P-4X1G, IronWare Version 08.0.90dT211 Compiled on …"
  (d) =>
    /IronWare Version/i.test(d)
      ? {
          vendor: /Brocade/i.test(d) ? "Brocade" : "Ruckus",
          os: "FastIron",
          // The trailing T2xx names the image flavour, not the release.
          version: pick(d, /IronWare Version\s+([\w.]+)/i)?.replace(/T\d{3}$/, ""),
          model: pick(d, /Inc\.\s+([\w-]+)/i),
        }
      : undefined,
  // Fortinet: "FortiGate-100F v7.2.5,build1517,230606 (GA.F)"
  (d) => {
    const m = /^(Forti\w+-\w+)(?:\s+v(\d+(?:\.\d+)+))?/i.exec(d);
    return m ? { vendor: "Fortinet", os: "FortiOS", model: m[1], version: m[2] } : undefined;
  },
  // Palo Alto: "Palo Alto Networks PA-3200 series firewall"
  (d) =>
    /^Palo Alto Networks/i.test(d)
      ? { vendor: "Palo Alto Networks", os: "PAN-OS", model: pick(d, /Palo Alto Networks\s+(PA-[\w-]+)/i) }
      : undefined,
  // NetApp ONTAP: "NetApp Release 9.8P9: Tue Jan 11 18:38:44 UTC 2022"
  (d) => {
    const m = /^NetApp Release\s+([\w.]+)/i.exec(d);
    return m ? { vendor: "NetApp", os: "ONTAP", version: m[1] } : undefined;
  },
  // Windows: "Hardware: Intel64 … - Software: Windows Version 6.3 (Build 17763 Multiprocessor Free)"
  (d) => {
    const m = /Software: Windows Version\s+([\d.]+)\s+\(Build\s+(\d+)/i.exec(d);
    return m ? { vendor: "Microsoft", os: "Windows", version: `${m[1]}.${m[2]}` } : undefined;
  },
  // net-snmp on Linux: "Linux server01 5.10.0-21-amd64 #1 SMP Debian 5.10.162-1 (2023-01-21) x86_64"
  (d) => {
    const m = /^Linux\s+\S+\s+(\S+)/.exec(d);
    return m ? { vendor: "Linux", os: "Linux", version: m[1] } : undefined;
  },
  // BSDs: "FreeBSD fw1 13.2-RELEASE-p4 FreeBSD 13.2-RELEASE-p4 amd64"
  (d) => {
    const m = /^(FreeBSD|OpenBSD|NetBSD)\s+\S+\s+(\S+)/.exec(d);
    return m ? { vendor: m[1], os: m[1], version: m[2] } : undefined;
  },
];

/** Parses a sysDescr; unknown formats yield at most a version found after the word "version". */
export function parseSysDescr(sysDescr: string): SysDescrInfo {
  const d = sysDescr.replace(/\s+/g, " ").trim();
  if (d === "") return {};
  for (const rule of RULES) {
    const info = rule(d);
    if (info) return compact(info);
  }
  return compact({ version: pick(d, /\bversion\s*:?\s*v?(\d[\w.()-]*)/i) });
}

/** "C2960X" out of "…, C2960X Software (C2960X-UNIVERSALK9-M), …"; undefined for prose like "Catalyst L3 Switch". */
function ciscoPlatform(d: string): string | undefined {
  const m = /(?:,|\(tm\))\s+([\w-]+) Software \(/i.exec(d);
  const platform = m?.[1];
  return platform && /\d/.test(platform) && !/^IOS/i.test(platform) ? platform : undefined;
}

function vendorName(token: string): string {
  const t = token.toLowerCase();
  if (t === "aruba") return "Aruba";
  if (t === "procurve" || t === "hp") return "HP";
  return "HPE";
}

function compact(info: SysDescrInfo): SysDescrInfo {
  const out: SysDescrInfo = {};
  for (const key of ["vendor", "os", "version", "model"] as const) {
    const value = info[key];
    if (value !== undefined && value !== "") out[key] = value;
  }
  return out;
}
