import { suggest } from "../../chat/suggest.js";
import { formatAge } from "../../lib/clock.js";
import { NotFoundError } from "../../lib/errors.js";
import type { BackupService, BackupState } from "./types.js";

/** Shared pieces of the backup chat answers (commands/backups, backup-diff, backup-now). */
/** The configured name of a device with a backup profile, or a NotFoundError with suggestions. */
export function backupDeviceOrThrow(backups: BackupService, word: string): string {
  const name = backups.resolve(word);
  if (name) return name;
  const all = backups.devices();
  const close = suggest(word, all);
  throw new NotFoundError(
    `No backup profile for "${word}".`,
    close.length > 0
      ? [`Did you mean ${close.join(", ")}?`]
      : [
          all.length > 0
            ? `Devices with backups: ${all.join(", ")}`
            : "No device has a `backup:` section in the config.",
        ],
  );
}

/** "Last backup 3h ago: ok" / "Failing since …: error" — the line under every backup answer. */
export function stateLine(state: BackupState | undefined, now: number): string {
  if (!state) return "No backup has run yet.";
  if (state.status === "ok") {
    const changed =
      state.lastChangedAt === null ? "" : `; config last changed ${formatAge(now - state.lastChangedAt)}`;
    return `Last backup ${formatAge(now - state.lastAttemptAt)}: ok${changed}.`;
  }
  const times = state.consecutiveFailures === 1 ? "once" : `${state.consecutiveFailures} times in a row`;
  const lastOk =
    state.lastSuccessAt === null ? "never succeeded" : `last ok ${formatAge(now - state.lastSuccessAt)}`;
  return `Backup failing (${times}, ${lastOk}): ${state.lastError ?? "unknown error"}`;
}
