import { describe, expect, it } from "vitest";
import { parseSysDescr } from "../../src/management/collectors/snmp/sysdescr.js";

describe("parseSysDescr", () => {
  const cases: Array<[string, string, ReturnType<typeof parseSysDescr>]> = [
    [
      "Cisco IOS classic",
      "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E3, RELEASE SOFTWARE (fc3)\r\nTechnical Support: http://www.cisco.com/techsupport",
      { vendor: "Cisco", os: "IOS", version: "15.2(7)E3", model: "C2960X" },
    ],
    [
      "Cisco IOS 12.x",
      "Cisco Internetwork Operating System Software \r\nIOS (tm) C2950 Software (C2950-I6Q4L2-M), Version 12.1(22)EA14, RELEASE SOFTWARE (fc1)",
      { vendor: "Cisco", os: "IOS", version: "12.1(22)EA14", model: "C2950" },
    ],
    [
      "Cisco IOS-XE 17",
      "Cisco IOS Software [Amsterdam], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.3.4, RELEASE SOFTWARE (fc3)",
      { vendor: "Cisco", os: "IOS-XE", version: "17.3.4" },
    ],
    [
      "Cisco IOS-XE 3.x",
      "Cisco IOS Software, IOS-XE Software, Catalyst 4500 L3 Switch Software (cat4500e-UNIVERSALK9-M), Version 03.06.06.E RELEASE SOFTWARE (fc1)",
      { vendor: "Cisco", os: "IOS-XE", version: "03.06.06.E" },
    ],
    [
      "Cisco NX-OS",
      "Cisco NX-OS(tm) n9000, Software (n9000-dk9), Version 9.3(10), RELEASE SOFTWARE Copyright (c) 2002-2022 by Cisco Systems, Inc.",
      { vendor: "Cisco", os: "NX-OS", version: "9.3(10)", model: "n9000" },
    ],
    [
      "Cisco ASA",
      "Cisco Adaptive Security Appliance Version 9.8(4)32",
      { vendor: "Cisco", os: "ASA", version: "9.8(4)32" },
    ],
    [
      "Juniper EX",
      "Juniper Networks, Inc. ex4300-48t Ethernet Switch, kernel JUNOS 20.4R3-S2.6, Build date: 2022-01-19 00:09:30 UTC Copyright (c) 1996-2022 Juniper Networks, Inc.",
      { vendor: "Juniper", os: "Junos", version: "20.4R3-S2.6", model: "ex4300-48t" },
    ],
    [
      "Juniper SRX",
      "Juniper Networks, Inc. srx345 internet router, kernel JUNOS 21.2R3.8, Build date: 2022-05-04",
      { vendor: "Juniper", os: "Junos", version: "21.2R3.8", model: "srx345" },
    ],
    [
      "Arista EOS",
      "Arista Networks EOS version 4.28.3M running on an Arista Networks DCS-7050SX3-48YC8",
      { vendor: "Arista", os: "EOS", version: "4.28.3M", model: "DCS-7050SX3-48YC8" },
    ],
    [
      "HP ProCurve / ArubaOS-Switch",
      "HP J9728A 2920-48G Switch, revision WB.16.02.0012, ROM WB.16.03 (/ws/swbuildm/rel_ukiah_qaoff/code/build/anm(swbuildm_rel_ukiah_qaoff_rel_ukiah))",
      { vendor: "HP", os: "ArubaOS-Switch", version: "WB.16.02.0012", model: "J9728A" },
    ],
    [
      "Aruba 3810",
      "Aruba JL075A 3810M-16SFP+-2-slot Switch, revision KB.16.10.0009, ROM KB.16.01.0008",
      { vendor: "Aruba", os: "ArubaOS-Switch", version: "KB.16.10.0009", model: "JL075A" },
    ],
    [
      "ArubaOS-CX",
      "Aruba JL658A 6300M 24SFP+ 4SFP56 Swch FL.10.08.1010",
      { vendor: "Aruba", os: "ArubaOS-CX", version: "FL.10.08.1010", model: "JL658A" },
    ],
    [
      "ArubaOS controller",
      "ArubaOS (MODEL: 7010), Version 8.6.0.4 (74969)",
      { vendor: "Aruba", os: "ArubaOS", version: "8.6.0.4", model: "7010" },
    ],
    [
      "HPE Comware",
      "HPE Comware Platform Software, Software Version 7.1.070, Release 3506P02\r\nHPE FF 5940 48SFP+ 6QSFP+ Switch\r\nCopyright (c) 2010-2020 Hewlett Packard Enterprise Development LP",
      { vendor: "HPE", os: "Comware", version: "7.1.070 Release 3506P02" },
    ],
    [
      "MikroTik RouterOS",
      "RouterOS CCR2004-1G-12S+2XS",
      { vendor: "MikroTik", os: "RouterOS", model: "CCR2004-1G-12S+2XS" },
    ],
    [
      "Dell OS10",
      "Dell EMC Networking OS10-Enterprise.\r\nCopyright (c) 1999-2021 by Dell Inc. All Rights Reserved.\r\nSystem Description: OS10 Enterprise.\r\nOS Version: 10.5.2.6.\r\nSystem Type: S5248F-ON",
      { vendor: "Dell", os: "OS10", version: "10.5.2.6", model: "S5248F-ON" },
    ],
    [
      "Dell OS9",
      "Dell Networking OS Operating System Version: 2.0 Application Software Version: 9.14(2.4) Series: S4048-ON Copyright (c) 1999-2019 by Dell Inc.",
      { vendor: "Dell", os: "OS9", version: "9.14(2.4)", model: "S4048-ON" },
    ],
    [
      "Dell N-series",
      "Dell Networking N3048P, 6.5.4.8, Linux 4.14.138",
      { vendor: "Dell", os: "DNOS", version: "6.5.4.8", model: "N3048P" },
    ],
    [
      "Ruckus ICX",
      "Ruckus Wireless, Inc. ICX7150-48P-4X1G, IronWare Version 08.0.90dT211 Compiled on Mar 4 2021 at 03:54:26 labeled as SPR08090d",
      { vendor: "Ruckus", os: "FastIron", version: "08.0.90d", model: "ICX7150-48P-4X1G" },
    ],
    [
      "Fortinet",
      "FortiGate-100F v7.2.5,build1517,230606 (GA.F)",
      { vendor: "Fortinet", os: "FortiOS", version: "7.2.5", model: "FortiGate-100F" },
    ],
    [
      "Palo Alto",
      "Palo Alto Networks PA-3200 series firewall",
      { vendor: "Palo Alto Networks", os: "PAN-OS", model: "PA-3200" },
    ],
    [
      "NetApp",
      "NetApp Release 9.8P9: Tue Jan 11 18:38:44 UTC 2022",
      { vendor: "NetApp", os: "ONTAP", version: "9.8P9" },
    ],
    [
      "Windows",
      "Hardware: Intel64 Family 6 Model 85 Stepping 7 AT/AT COMPATIBLE - Software: Windows Version 6.3 (Build 17763 Multiprocessor Free)",
      { vendor: "Microsoft", os: "Windows", version: "6.3.17763" },
    ],
    [
      "Linux net-snmp",
      "Linux db01 5.10.0-21-amd64 #1 SMP Debian 5.10.162-1 (2023-01-21) x86_64",
      { vendor: "Linux", os: "Linux", version: "5.10.0-21-amd64" },
    ],
    [
      "FreeBSD",
      "FreeBSD fw1 13.2-RELEASE-p4 FreeBSD 13.2-RELEASE-p4 amd64",
      { vendor: "FreeBSD", os: "FreeBSD", version: "13.2-RELEASE-p4" },
    ],
    ["unknown vendor with a version", "Acme Widget OS version 3.2.1-beta build 7", { version: "3.2.1-beta" }],
    ["nothing to find", "Acme Widget", {}],
    ["empty", "   ", {}],
  ];

  it.each(cases)("%s", (_name, sysDescr, expected) => {
    expect(parseSysDescr(sysDescr)).toEqual(expected);
  });
});
