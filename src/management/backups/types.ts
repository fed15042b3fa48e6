/**
 * The backup service as chat commands see it (Services.backups). Type-only: commands import this
 * file, never the implementation.
 */
export interface BackupVersionInfo {
  id: number;
  device: string;
  /** 0 = the current version, 1 = the one before, … */
  back: number;
  takenAt: number;
  sha256: string;
  sizeBytes: number;
  lines: number;
}

export interface BackupVersion extends BackupVersionInfo {
  content: string;
}

export interface BackupState {
  device: string;
  status: "ok" | "failed";
  lastAttemptAt: number;
  lastSuccessAt: number | null;
  lastChangedAt: number | null;
  lastError: string | null;
  consecutiveFailures: number;
}

export type BackupOutcome =
  | {
      device: string;
      result: "first" | "changed";
      version: BackupVersionInfo;
      added: number;
      removed: number;
    }
  | { device: string; result: "unchanged"; version: BackupVersionInfo }
  | { device: string; result: "failed"; error: string };

export interface BackupDiff {
  device: string;
  from: BackupVersionInfo;
  to: BackupVersionInfo;
  /** Unified diff; empty when the two versions are identical. */
  patch: string;
  added: number;
  removed: number;
}

export interface BackupService {
  /** Devices with a backup profile, as configured. */
  devices(): string[];
  /** The configured name for a case-insensitive name, if it has a backup profile. */
  resolve(name: string): string | undefined;
  /** Runs a backup now (joins one already running for the device). Never rejects for device errors. */
  runNow(device: string): Promise<BackupOutcome>;
  versions(device: string): BackupVersionInfo[];
  state(device: string): BackupState | undefined;
  /** The current version against the one `back` steps earlier (default 1), or undefined if missing. */
  diff(device: string, back?: number): BackupDiff | undefined;
}
