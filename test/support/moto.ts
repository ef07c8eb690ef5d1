/**
 * A moto server (the AWS mock, in server mode) as a child process on 127.0.0.1, for tests and the
 * sandbox. By default it sits behind the EventBridge corrections of moto-workarounds.ts, so that
 * every AWS SDK client, the deployed handler bundle included, talks to one endpoint that behaves
 * like EventBridge where moto 5.2.1 does not.
 *
 * moto is a hard requirement: when it is missing, starting fails with a message that says how to
 * install it. Nothing is ever skipped for lack of it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import { EventBridgeCorrections } from './moto-workarounds';

/** The account moto answers for with any credentials (moto's own default account). */
export const MOTO_ACCOUNT_ID = '123456789012';

/** The fake credentials every client uses against moto. */
export const MOTO_CREDENTIALS = {
  accessKeyId: 'testing',
  secretAccessKey: 'testing',
  sessionToken: 'testing',
} as const;

/** Options of {@link startMoto}. */
export interface MotoOptions {
  /**
   * Put the EventBridge corrections of moto-workarounds.ts in front of moto and hand out their
   * endpoint. Without them, partner event sources behave as moto 5.2.1 has them.
   * @default true
   */
  readonly workarounds?: boolean;
  /**
   * Region of the AWS_REGION variable and of {@link MotoServer.clientConfig}.
   * @default 'us-east-1'
   */
  readonly region?: string;
  /**
   * Point the AWS SDK at the server through environment variables (AWS_ENDPOINT_URL, AWS_REGION,
   * fake credentials) until stop() restores them.
   * @default true
   */
  readonly setEnv?: boolean;
  /**
   * The Python interpreter that runs `-m moto.server`.
   * @default - the MOTO_PYTHON environment variable, else 'python3'
   */
  readonly python?: string;
  /**
   * How long to wait for moto to answer its first request.
   * @default 30000
   */
  readonly startTimeoutMs?: number;
}

/** AWS SDK v3 client settings that reach the server. */
export interface MotoClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: typeof MOTO_CREDENTIALS;
}

/** A running moto server. */
export interface MotoServer {
  /** The endpoint clients use: the corrections in front of moto, or moto itself without them. */
  readonly endpoint: string;
  /** moto itself, uncorrected. */
  readonly motoEndpoint: string;
  /** The default region of the clients. */
  readonly region: string;
  /** The account every resource lives in. */
  readonly accountId: string;
  /** The corrections in front of moto, when enabled. */
  readonly corrections?: EventBridgeCorrections;
  /** Client settings for a region (default: {@link region}). */
  clientConfig(region?: string): MotoClientConfig;
  /** Forgets every resource (moto's reset and the corrections' own records). */
  reset(): Promise<void>;
  /** Stops the corrections and moto, and restores the environment. Safe to call twice. */
  stop(): Promise<void>;
}

const ENV_KEYS = [
  'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_EC2_METADATA_DISABLED',
] as const;

/** A free TCP port on 127.0.0.1 (free when asked: moto binds it a moment later). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 1000 }, (response) => {
      response.resume();
      resolve(true);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

const INSTALL_HINT =
  'moto 5.x with its server extras is required: pip install "moto[server]==5.2.1"';

/** Starts one moto process on a port and waits until it answers; throws with moto's output. */
async function launch(python: string, port: number, timeoutMs: number): Promise<ChildProcess> {
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MOTO_ACCOUNT_ID: MOTO_ACCOUNT_ID },
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);

  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
  });
  child.on('error', (error) => {
    exited = `could not start ${python}: ${error.message}`;
  });

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      const missing = /No module named|ENOENT/.test(output + exited);
      throw new Error(
        `moto server did not start (\`${python} -m moto.server -p ${port}\` ${exited}). ` +
        `${missing ? INSTALL_HINT + '. ' : ''}Output: ${output.trim() || '(none)'}`,
      );
    }
    if (await answers(`http://127.0.0.1:${port}/moto-api/`)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(
    `moto server did not answer on 127.0.0.1:${port} within ${timeoutMs} ms. ` +
    `${INSTALL_HINT}. Output: ${output.trim() || '(none)'}`,
  );
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts moto on a free port of 127.0.0.1 and waits until it answers. The process is killed by
 * stop(), and in any case when this Node.js process exits.
 */
export async function startMoto(options: MotoOptions = {}): Promise<MotoServer> {
  const python = options.python ?? process.env.MOTO_PYTHON ?? 'python3';
  const region = options.region ?? 'us-east-1';
  const timeoutMs = options.startTimeoutMs ?? 30_000;

  // Another process may take the free port between the probe and moto's bind: try a few.
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 1; !child; attempt++) {
    port = await freePort();
    try {
      child = await launch(python, port, timeoutMs);
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/.test(String(error))) throw error;
    }
  }
  const process_ = child;
  const killOnExit = () => process_.kill('SIGKILL');
  process.on('exit', killOnExit);

  const motoEndpoint = `http://127.0.0.1:${port}`;
  let corrections: EventBridgeCorrections | undefined;
  try {
    if (options.workarounds ?? true) {
      corrections = await EventBridgeCorrections.start({
        motoEndpoint,
        accountId: MOTO_ACCOUNT_ID,
      });
    }
  } catch (error) {
    await stopChild(process_);
    throw error;
  }
  const endpoint = corrections?.url ?? motoEndpoint;

  const savedEnv = new Map(ENV_KEYS.map((key) => [key, process.env[key]] as const));
  if (options.setEnv ?? true) {
    process.env.AWS_ENDPOINT_URL = endpoint;
    process.env.AWS_REGION = region;
    process.env.AWS_DEFAULT_REGION = region;
    process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey;
    process.env.AWS_SESSION_TOKEN = MOTO_CREDENTIALS.sessionToken;
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    delete process.env.AWS_PROFILE;
  }

  let stopped = false;
  return {
    endpoint,
    motoEndpoint,
    region,
    accountId: MOTO_ACCOUNT_ID,
    corrections,
    clientConfig: (clientRegion = region) => ({
      endpoint,
      region: clientRegion,
      credentials: MOTO_CREDENTIALS,
    }),
    async reset() {
      await new Promise<void>((resolve, reject) => {
        const url = `${motoEndpoint}/moto-api/reset`;
        const request = http.request(url, { method: 'POST' }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(
            new Error(`moto reset answered HTTP ${res.statusCode}`))));
        });
        request.on('error', reject);
        request.end();
      });
      corrections?.reset();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (options.setEnv ?? true) {
        for (const [key, value] of savedEnv) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
      }
      await corrections?.stop();
      await stopChild(process_);
      process.off('exit', killOnExit);
    },
  };
}
