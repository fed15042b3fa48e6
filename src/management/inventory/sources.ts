import type { Config } from "../../config/schema.js";
import type { Logger } from "../../lib/logger.js";
import { createAnsibleSource } from "./ansible.js";
import { createNetboxSource } from "./netbox.js";
import type { InventorySource } from "./types.js";

/** The sources the config names, NetBox before Ansible (the earlier wins a name clash). */
export function sourcesFromConfig(
  config: Pick<Config, "inventory">,
  deps: { logger: Logger; env?: NodeJS.ProcessEnv },
): InventorySource[] {
  const out: InventorySource[] = [];
  const { netbox, ansible } = config.inventory;
  if (netbox)
    out.push(
      createNetboxSource({ config: netbox, logger: deps.logger, ...(deps.env ? { env: deps.env } : {}) }),
    );
  if (ansible) out.push(createAnsibleSource({ config: ansible }));
  return out;
}
