/**
 * The machine a run measured on, so that numbers from different runs are never compared blindly.
 */
import * as os from 'node:os';

/** A one-table description of the machine and the moment of the run. */
export function describeMachine(started: Date): string[][] {
  const cpus = os.cpus();
  const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
  return [
    ['date', started.toISOString()],
    ['cpu', cpus[0]?.model.trim() ?? 'unknown'],
    ['cores', String(cpus.length)],
    ['memory', `${gib(os.totalmem())} total, ${gib(os.freemem())} free at start`],
    ['load average at start (1/5/15 min)', load],
    ['node', process.version],
    ['os', `${os.type()} ${os.release()} ${os.arch()}`],
  ];
}
