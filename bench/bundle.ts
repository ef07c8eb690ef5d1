/**
 * Handler bundle size and load time, against the official Genesys SDK bundled the same way.
 *
 * Size is the minified asset the constructs deploy. Load time is what a cold Lambda pays before the
 * handler runs: a fresh `node -e "require(...)"` process, median of many, minus the median of an
 * empty `node -e ""`. Both bundles require the same external AWS SDK clients (the ones the handler
 * bundle requires), so the difference between them is the Genesys side alone.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, BuildOptions } from 'esbuild';
import { GoalRow, Section, table } from './report';
import { elapsedMs, fixed, median, range } from './stats';

/** Parameters of the bundle benchmark. */
export interface BundleOptions {
  /** The repository root. */
  readonly root: string;
  /** Fresh processes per variant. */
  readonly loads: number;
}

const SIZE_GOAL_BYTES = 100_000;
const LOAD_GOAL_MS = 50;

/** Runs the bundle benchmark. */
export async function benchBundle(options: BundleOptions): Promise<Section> {
  const { root } = options;
  const work = mkdtempSync(join(os.tmpdir(), 'bench-bundle-'));
  try {
    const handlerFile = buildHandler(root);
    const handlerSource = readFileSync(handlerFile, 'utf8');
    const externals = [...new Set(
      [...handlerSource.matchAll(/require\(["'](@aws-sdk\/[^"']+)["']\)/g)].map((m) => m[1]),
    )].sort();

    const sdkFile = join(work, 'sdk-baseline.js');
    await buildBaseline(root, sdkFile, externals);

    const handler = sizes(handlerFile);
    const sdk = sizes(sdkFile);

    const requireAll = (files: string[]) =>
      files.map((f) => `require(${JSON.stringify(f)});`).join('');
    const variants: Record<string, string> = { 'empty node': '' };
    if (externals.length > 0) variants['AWS SDK externals only'] = requireAll(externals);
    variants['handler bundle'] = requireAll([handlerFile]);
    // Measured only when the bundle loads without the clients (it keeps no reference at load time).
    const stub = stubbed(handlerFile);
    const stubLoads = spawnSync(process.execPath, ['-e', stub], { cwd: root, stdio: 'ignore' });
    if (externals.length > 0 && stubLoads.status === 0) {
      variants['handler bundle, AWS SDK stubbed'] = stub;
    }
    variants['SDK baseline bundle'] = requireAll([sdkFile]);
    const timings = loadTimes(root, variants, options.loads);
    const empty = median(timings['empty node']);
    const net = (name: string) => median(timings[name]) - empty;
    const handlerLoad = net('handler bundle');
    const sdkLoad = net('SDK baseline bundle');
    const externalLoad = externals.length > 0 ? net('AWS SDK externals only') : 0;
    const stubbedLoad = variants['handler bundle, AWS SDK stubbed'] !== undefined
      ? net('handler bundle, AWS SDK stubbed') : undefined;

    const sizeMet = handler.bytes <= SIZE_GOAL_BYTES;
    const loadMet = handlerLoad <= LOAD_GOAL_MS;
    const goals: GoalRow[] = [
      {
        metric: 'handler bundle size (minified)',
        measured: kb(handler.bytes),
        baseline: `${kb(sdk.bytes)} (official SDK)`,
        ratio: `${fixed(handler.bytes / sdk.bytes, 3)}×`,
        goal: '≤ 100 kB',
        met: sizeMet,
        note: sizeMet ? undefined :
          `${kb(handler.bytes - SIZE_GOAL_BYTES)} over the goal; see the size breakdown below.`,
      },
      {
        metric: 'handler load time (fresh process, minus empty node)',
        measured: `${fixed(handlerLoad)} ms`,
        baseline: `${fixed(sdkLoad)} ms (official SDK)`,
        ratio: `${fixed(handlerLoad / sdkLoad, 2)}×`,
        goal: '≤ 50 ms',
        met: loadMet,
        note: loadMet ? undefined
          : loadMissNote(handlerLoad, externalLoad, stubbedLoad, externals),
      },
    ];

    const timingRows = Object.keys(variants).map((name) => {
      const [lo, hi] = range(timings[name]);
      const minus = name === 'empty node' ? '—' : `${fixed(net(name))} ms`;
      return [name, `${fixed(median(timings[name]))} ms`, `${fixed(lo)}–${fixed(hi)} ms`, minus];
    });
    const details = [
      'The handler asset is rebuilt first with `node scripts/bundle-handler.mjs`; the baseline ' +
        'is `bench/sdk-baseline.ts`, the same Genesys calls written with ' +
        '`purecloud-platform-client-v2`, bundled with the same esbuild options: minified, cjs, ' +
        'node platform, target node20, `@aws-sdk/*` external, no legal comments. External AWS ' +
        'SDK clients the handler bundle requires, and which the baseline requires too: ' +
        `${externals.length === 0 ? 'none' : externals.map((e) => `\`${e}\``).join(', ')}.`,
      table(['bundle', 'bytes', 'kB', 'gzip kB'], [
        ['handler (assets/lifecycle-handler/index.js)', String(handler.bytes), kb(handler.bytes),
          kb(handler.gzip)],
        ['official SDK baseline', String(sdk.bytes), kb(sdk.bytes), kb(sdk.gzip)],
      ]),
      `Load time: ${options.loads} fresh processes per variant, run round-robin so that drift on ` +
        'a shared machine hits every variant alike. AWS SDK clients resolve from the ' +
        'repository\'s node_modules, as they resolve from the Lambda runtime in AWS.',
      table(['variant', 'median wall time', 'min–max', 'minus empty node'], timingRows),
    ];
    return { title: 'Handler bundle: size and load time', goals, details };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Rebuilds the handler asset with the project's own script; returns the bundle's path. */
export function buildHandler(root: string): string {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'bundle-handler.mjs')], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`node scripts/bundle-handler.mjs exited with ${result.status}: ` +
      result.stderr);
  }
  return join(root, 'assets', 'lifecycle-handler', 'index.js');
}

async function buildBaseline(root: string, outfile: string, externals: string[]): Promise<void> {
  // The entry re-exports the SDK version of the handler and requires the same AWS SDK clients as
  // the handler bundle, so that both load the same externals.
  const contents = [
    "export * from './sdk-baseline';",
    ...externals.map((e) => `import ${JSON.stringify(e)};`),
  ].join('\n');
  await build({
    stdin: {
      contents,
      resolveDir: join(root, 'bench'),
      loader: 'ts',
      sourcefile: 'baseline-entry.ts',
    },
    ...handlerBundleOptions(root),
    outfile,
    logLevel: 'error',
  });
}

/**
 * Code that loads a bundle with every `@aws-sdk/*` module replaced by an empty object: the cost of
 * the handler's own code alone. Valid as long as the bundle only keeps references at load time.
 */
function stubbed(file: string): string {
  return 'const M = require("node:module"); const load = M._load; ' +
    'M._load = function (request, ...rest) { ' +
    'return request.startsWith("@aws-sdk/") ? {} : load.call(this, request, ...rest); }; ' +
    `require(${JSON.stringify(file)});`;
}

function sizes(file: string): { bytes: number; gzip: number } {
  return { bytes: statSync(file).size, gzip: gzipSync(readFileSync(file)).length };
}

function loadTimes(root: string, variants: Record<string, string>, loads: number) {
  const timings: Record<string, number[]> = {};
  for (const name of Object.keys(variants)) timings[name] = [];
  // NODE_PATH lets a bundle outside the repository find the external AWS SDK clients.
  const env = { ...process.env, NODE_PATH: join(root, 'node_modules') };
  for (let i = 0; i < loads; i++) {
    for (const [name, code] of Object.entries(variants)) {
      const start = process.hrtime.bigint();
      const result = spawnSync(process.execPath, ['-e', code], { cwd: root, env, stdio: 'ignore' });
      const ms = elapsedMs(start);
      if (result.status !== 0) {
        throw new Error(`loading the ${name} failed with exit code ${result.status}`);
      }
      timings[name].push(ms);
    }
  }
  return timings;
}

function loadMissNote(handlerLoad: number, externalLoad: number, stubbedLoad: number | undefined,
  externals: string[]): string {
  const over = `${fixed(handlerLoad - LOAD_GOAL_MS)} ms over the goal`;
  if (externals.length === 0) return `${over}; all of it is the handler's own module-level code.`;
  const own = stubbedLoad !== undefined
    ? `with the AWS SDK clients stubbed out, the bundle loads in ${fixed(stubbedLoad)} ms`
    : 'the handler\'s own code accounts for about ' +
      `${fixed(Math.max(0, handlerLoad - externalLoad))} ms`;
  return `${over}. The external AWS SDK clients it requires at load time ` +
    `(${externals.join(', ')}) take ${fixed(externalLoad)} ms on their own; ${own}. ` +
    'Lambda loads those clients from its runtime all the same, so the cost is theirs; a handler ' +
    'that required them only when a call needs them would move it into the first invocation.';
}

function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

/** The esbuild options of the handler bundle (scripts/handler-bundle-options.json). */
function handlerBundleOptions(root: string): BuildOptions {
  return JSON.parse(readFileSync(join(root, 'scripts', 'handler-bundle-options.json'), 'utf8'));
}
