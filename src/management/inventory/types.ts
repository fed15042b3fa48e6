import type { CandidateDevice } from "../../config/profiles.js";
import type { InventoryChange } from "./merge.js";

/** One inventory source (NetBox, Ansible): lists the devices it knows, or throws an InventoryError. */
export interface InventorySource {
  /** "netbox" or "ansible": also the `source` of every device it returns. */
  readonly name: string;
  /** How often the running bot refreshes it, in ms. */
  readonly refreshMs: number;
  /** Where it reads from, for messages (a URL, a path, a command); never a secret. */
  readonly location: string;
  list(): Promise<SourceListing>;
}

export interface SourceListing {
  devices: CandidateDevice[];
  /** Entries the source returned but opsbot could not use (no address, vaulted value…), each naming the entry. */
  skipped: string[];
}

/** What is known about a source: its last good list and how the last attempt went. */
export interface SourceState {
  source: string;
  location: string;
  /** The last list fetched successfully (kept when a later refresh fails). */
  devices: CandidateDevice[];
  skipped: string[];
  /** When the kept list was fetched; null before the first success. */
  fetchedAt: number | null;
  /** When the last attempt ended, and its error when it failed. */
  attemptedAt: number | null;
  error: string | null;
}

export interface SourceOutcome {
  source: string;
  ok: boolean;
  devices: number;
  error?: string;
}

export interface RefreshReport {
  sources: SourceOutcome[];
  change: InventoryChange;
}

/** What /readyz and `fleet` need: is every source's list current, and which are running on an old one. */
export interface InventoryHealth {
  /** True when no source has failed its last refresh and every source has a list. */
  ok: boolean;
  problems: string[];
}
