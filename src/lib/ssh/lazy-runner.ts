import type { PoolStats } from "./pool.js";
import type { PooledSshRunner, SshRunnerOptions } from "./runner.js";

/**
 * The SSH runner, with ssh2 loaded on first use. Most processes (`opsbot ask`, a console session that
 * never touches SSH) never pay ssh2's load time.
 */
export function createLazySshRunner(options: SshRunnerOptions): PooledSshRunner {
  let runner: PooledSshRunner | undefined;
  let loading: Promise<PooledSshRunner> | undefined;
  const load = () => {
    loading ??= import("./runner.js").then((m) => {
      runner = m.createSshRunner(options);
      return runner;
    });
    return loading;
  };
  return {
    exec: async (target, command, execOptions) => (await load()).exec(target, command, execOptions),
    close: async () => {
      if (loading) await (await loading).close();
    },
    stats: (): PoolStats => runner?.stats() ?? { handshakes: 0, open: 0 },
  };
}
