/** SSH collection for the poller: SMART, md and ZFS health from the host. */
export { createSshCollector, type SshCollector, type SshCollectorDeps } from "./ssh-collector.js";
export { mergeObservations, withSshCollector } from "./with-ssh.js";
