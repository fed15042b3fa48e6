import { NotFoundError } from "../lib/errors.js";
import type { Store } from "../store/store.js";
import { diffPoll } from "./diff.js";
import type { DeviceObservation } from "./observations.js";
import type { StateRepo } from "./state-repo.js";
import type { DeviceStateRow } from "./state-rows.js";

export interface RecordedPoll {
  device: DeviceStateRow;
  /** Change-log ids written by this poll. */
  changeIds: number[];
}

/**
 * Writes one device poll: previous state read, diffed and written in a single transaction, so a crash
 * leaves either the whole poll or none of it, and readers never see half a device.
 */
export function recordPoll(store: Store, repo: StateRepo, obs: DeviceObservation): RecordedPoll {
  return store.tx(() => {
    const prev = repo.load(obs.device);
    if (!prev)
      throw new NotFoundError(`Device "${obs.device}" is not in the device cache; is it configured?`);
    const write = diffPoll(prev, obs);
    return { device: write.device, changeIds: repo.apply(write) };
  });
}
