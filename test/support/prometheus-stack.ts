/**
 * The monitoring stack teams already run, as the real Debian programs on loopback: snmp_exporter
 * (prometheus-snmp-exporter), Prometheus and Alertmanager, each with a config written by the test,
 * on free ports, in a temp dir removed at stop.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOOPBACK, launch, type ManagedProcess, terminate } from "./snmp-agents.js";

export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RunningService {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  stop(): Promise<void>;
}

async function waitForHttp(
  url: string,
  proc: ManagedProcess,
  what: string,
  deadlineMs = 60_000,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (proc.child.exitCode !== null) break;
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready at ${url}:\n${proc.output.join("").slice(-2000)}`);
}

async function startService(
  what: string,
  binary: string,
  files: Record<string, string>,
  args: (dir: string, port: number) => string[],
  readyPath: string,
  prepare?: (dir: string) => void,
): Promise<RunningService> {
  const dir = mkdtempSync(join(tmpdir(), `opsbot-${what}-`));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  try {
    prepare?.(dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const port = await freeTcpPort();
  const proc = launch(binary, args(dir, port));
  const url = `http://${LOOPBACK}:${port}`;
  try {
    await waitForHttp(`${url}${readyPath}`, proc, what);
  } catch (err) {
    await terminate(proc);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    url,
    dir,
    async stop() {
      await terminate(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function startSnmpExporter(snmpYml: string): Promise<RunningService> {
  return startService(
    "snmp-exporter",
    "prometheus-snmp-exporter",
    { "snmp.yml": snmpYml },
    (dir, port) => [`--config.file=${join(dir, "snmp.yml")}`, `--web.listen-address=${LOOPBACK}:${port}`],
    "/",
  );
}

/**
 * Prometheus on loopback. `openMetrics` (OpenMetrics text ending in `# EOF`) is loaded first as TSDB
 * blocks with `promtool tsdb create-blocks-from openmetrics`: a known history to query.
 */
export function startPrometheus(prometheusYml: string, openMetrics?: string): Promise<RunningService> {
  return startService(
    "prometheus",
    "prometheus",
    { "prometheus.yml": prometheusYml },
    (dir, port) => [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=${LOOPBACK}:${port}`,
      "--web.enable-lifecycle",
    ],
    "/-/ready",
    openMetrics === undefined
      ? undefined
      : (dir) => {
          writeFileSync(join(dir, "backfill.om"), openMetrics);
          const r = spawnSync(
            "promtool",
            ["tsdb", "create-blocks-from", "openmetrics", join(dir, "backfill.om"), join(dir, "data")],
            { encoding: "utf8" },
          );
          if (r.status !== 0) throw new Error(`promtool could not create blocks: ${r.stderr}${r.stdout}`);
        },
  );
}

/** A Prometheus scrape job per device: snmp_exporter probes `target` with `module`, instance = device. */
export function snmpScrapeJobs(
  exporterPort: number,
  devices: Array<{ name: string; target: string; module: string }>,
  interval = "1s",
): string {
  const jobs = devices.map((d) =>
    [
      `  - job_name: snmp-${d.name}`,
      `    scrape_interval: ${interval}`,
      `    scrape_timeout: ${interval}`,
      "    metrics_path: /snmp",
      `    params: { module: [${d.module}], target: ["${d.target}"] }`,
      `    static_configs: [{ targets: ["${LOOPBACK}:${exporterPort}"], labels: { device: ${d.name}, site: lab } }]`,
      "    relabel_configs:",
      "      - { source_labels: [device], target_label: instance }",
    ].join("\n"),
  );
  return `global: { scrape_interval: ${interval}, evaluation_interval: ${interval} }\nscrape_configs:\n${jobs.join("\n")}\n`;
}

export function startAlertmanager(alertmanagerYml: string): Promise<RunningService> {
  return startService(
    "alertmanager",
    "prometheus-alertmanager",
    { "alertmanager.yml": alertmanagerYml },
    (dir, port) => [
      `--config.file=${join(dir, "alertmanager.yml")}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=${LOOPBACK}:${port}`,
      `--cluster.listen-address=`,
    ],
    "/-/ready",
  );
}

/** alertmanager.yml: every alert to one webhook receiver (opsbot's) with a bearer token; groups by alertname and site. */
export function alertmanagerWebhookConfig(
  webhookUrl: string,
  token: string,
  options: { maxAlerts?: number } = {},
): string {
  return [
    "route:",
    "  receiver: opsbot",
    "  group_by: [alertname, site]",
    "  group_wait: 100ms",
    "  group_interval: 1s",
    "  repeat_interval: 1h",
    "receivers:",
    "  - name: opsbot",
    "    webhook_configs:",
    `      - url: ${webhookUrl}`,
    "        send_resolved: true",
    ...(options.maxAlerts === undefined ? [] : [`        max_alerts: ${options.maxAlerts}`]),
    "        http_config:",
    `          authorization: { type: Bearer, credentials: ${token} }`,
    "",
  ].join("\n");
}
