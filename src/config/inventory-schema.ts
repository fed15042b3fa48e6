import * as z from "zod";

/**
 * The `profiles:` and `inventory:` sections of opsbot.yaml: where devices come from besides the YAML
 * (NetBox, Ansible) and the shared SNMP/SSH/backup settings matched to them. The block shapes are
 * passed in by schema.ts so this file does not import it (no cycle).
 */
const durationText = z.string().regex(/^(\d+(ms|s|m|h|d|w))+$/, "a duration such as 30s, 5m or 1h30m");
const profileName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a name of letters, digits, '.', '_' or '-'");
const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** Which devices a profile applies to; every key given must match (tags: the device has all of them). */
export const profileMatchSchema = z
  .object({
    tags: z.array(z.string().min(1)).default([]),
    site: z.string().min(1).optional(),
    role: z.string().min(1).optional(),
    platform: z.string().min(1).optional(),
  })
  .strict();

export function profilesSchema<
  S extends z.ZodRawShape,
  H extends z.ZodRawShape,
  B extends z.ZodRawShape,
>(shapes: { snmp: S; ssh: H; backup: B }) {
  const profile = z
    .object({
      /** Absent: the profile applies only to devices that name it. `match: {}` applies to every device. */
      match: profileMatchSchema.optional(),
      snmp: z.object(shapes.snmp).partial().strict().optional(),
      ssh: z.object(shapes.ssh).partial().strict().optional(),
      backup: z.object(shapes.backup).partial().strict().optional(),
      /** Where matching devices' fleet data comes from (e.g. a site only Prometheus reaches); a device's own via wins. */
      via: z.enum(["poller", "prometheus"]).optional(),
    })
    .strict();
  return z.record(profileName, profile).default({});
}

export const netboxSourceSchema = z
  .object({
    /** NetBox's base URL, e.g. https://netbox.example.com (the API lives under /api/). */
    url: z.url({ protocol: /^https?$/, error: "an http(s) URL such as https://netbox.example.com" }),
    /** Name of the environment variable holding the API token (never the token itself). */
    token_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name such as NETBOX_TOKEN"),
    /** Query filters passed to NetBox as-is: site, role, status, tag, platform, tenant… (slugs). */
    filters: z.record(z.string().min(1), oneOrMany).default({}),
    /** Also import virtual machines (/api/virtualization/virtual-machines/). */
    virtual_machines: z.boolean().default(false),
    refresh: durationText.default("1h"),
    /** What becomes the device's opsbot name: its NetBox name, or its primary IP. */
    name: z.enum(["name", "primary_ip"]).default("name"),
    /** A custom field whose value names the profile for the device. */
    profile_field: z.string().min(1).default("opsbot_profile"),
    /** PEM file with the CA that signed NetBox's certificate (private PKI). TLS is always verified. */
    ca_file: z.string().min(1).optional(),
    timeout: durationText.default("30s"),
    retries: z.number().int().min(0).max(10).default(3),
    page_size: z.number().int().min(1).max(1000).default(1000),
  })
  .strict();

export const ansibleSourceSchema = z
  .object({
    /** An inventory file or directory: opsbot runs `ansible-inventory -i <path> --list`. */
    path: z.string().min(1).optional(),
    /** Or a command (argument list, no shell) printing the same JSON, e.g. with your own --vault-id. */
    command: z.array(z.string().min(1)).min(1).optional(),
    refresh: durationText.default("1h"),
    timeout: durationText.default("2m"),
  })
  .strict()
  .refine((v) => (v.path === undefined) !== (v.command === undefined), {
    message: "set exactly one of path or command",
    path: ["path"],
  });

export const inventorySchema = z
  .object({
    netbox: netboxSourceSchema.optional(),
    ansible: ansibleSourceSchema.optional(),
    /** Logical channel (from channels) told about devices a refresh added or removed. */
    report_channel: z.string().min(1).default("admin"),
  })
  .strict();

export const INVENTORY_DEFAULTS = { report_channel: "admin" };

export type InventoryConfig = z.infer<typeof inventorySchema>;
export type NetboxSourceConfig = z.infer<typeof netboxSourceSchema>;
export type AnsibleSourceConfig = z.infer<typeof ansibleSourceSchema>;
export type ProfileMatch = z.infer<typeof profileMatchSchema>;
