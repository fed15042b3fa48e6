import { NotFoundError } from "../lib/errors.js";
import type { Store } from "../store/store.js";
import { diffPoll } from "./diff.js";
import { pollSamples } from "./history/poll-samples.js";
import type { SeriesWriter } from "./history/series-store.js";
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
 * leaves either the whole poll or none of it, and readers never see half a device. The poll's time
 * series values (rates, temperatures, reachability) go in the same transaction.
 */
export function recordPoll(
  store: Store,
  repo: StateRepo,
  obs: DeviceObservation,
  series?: SeriesWriter,
): RecordedPoll {
  return store.tx(() => {
    const prev = repo.load(obs.device);
    if (!prev)
      throw new NotFoundError(`Device "${obs.device}" is not in the device cache; is it configured?`);
    const write = diffPoll(prev, obs);
    const changeIds = repo.apply(write);
    series?.write(obs.at, pollSamples(prev, write, obs));
    return { device: write.device, changeIds };
  });
}
