import type { CandidateDevice } from "../../config/profiles.js";

/**
 * NetBox 4 list entries (dcim device, virtualization virtual machine) → candidate devices. Nested
 * related objects carry a slug; primary_ip carries "address" in CIDR form. Pure.
 */
interface Nested {
  slug?: unknown;
  name?: unknown;
}

type Entry = Record<string, unknown>;

const slugOf = (v: unknown): string | undefined => {
  if (v === null || typeof v !== "object") return undefined;
  const n = v as Nested;
  return typeof n.slug === "string" && n.slug !== "" ? n.slug : undefined;
};

function primaryAddress(e: Entry): string | undefined {
  const ip = (e.primary_ip ?? e.primary_ip4 ?? e.primary_ip6) as { address?: unknown } | null | undefined;
  if (!ip || typeof ip.address !== "string") return undefined;
  return ip.address.split("/")[0];
}

export function fromNetbox(
  entry: Entry,
  options: { kind: "device" | "vm"; nameBy: "name" | "primary_ip"; profileField: string },
): { device: CandidateDevice } | { skipped: string } {
  const id = `${options.kind === "vm" ? "virtual machine" : "device"} id ${String(entry.id)}`;
  const label = typeof entry.name === "string" && entry.name !== "" ? `${entry.name} (${id})` : id;
  const host = primaryAddress(entry);
  if (!host) return { skipped: `${label}: no primary IP in NetBox, so opsbot cannot reach it` };
  const name = options.nameBy === "primary_ip" ? host : typeof entry.name === "string" ? entry.name : "";
  if (name === "") return { skipped: `${label}: no name in NetBox (set one, or use name: primary_ip)` };
  const role = slugOf(entry.role) ?? slugOf(entry.device_role);
  const platform = slugOf(entry.platform);
  const site = slugOf(entry.site);
  const tagSlugs = Array.isArray(entry.tags)
    ? entry.tags.map(slugOf).filter((t): t is string => t !== undefined)
    : [];
  const tags = [...new Set([...tagSlugs, ...(role ? [role] : []), ...(platform ? [platform] : [])])];
  const custom = (entry.custom_fields ?? {}) as Record<string, unknown>;
  const profile = custom[options.profileField];
  return {
    device: {
      name,
      host,
      tags,
      ...(site ? { site } : {}),
      ...(role ? { role } : {}),
      ...(platform ? { platform } : {}),
      ...(typeof profile === "string" && profile !== "" ? { profile } : {}),
      own: {},
      source: "netbox",
    },
  };
}
