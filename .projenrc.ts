import { awscdk, javascript } from 'projen';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-genesys-eventbridge',
  description:
    'AWS CDK constructs that connect Genesys Cloud to Amazon EventBridge as one declarative unit: ' +
    'the Genesys integration, the partner event source, the event bus and the routing rules.',
  keywords: ['cdk', 'awscdk', 'genesys', 'genesys-cloud', 'eventbridge', 'partner-event-source'],
  author: 'cdk-genesys-eventbridge developers',
  authorAddress: 'maintainers@cdk-genesys-eventbridge.dev',
  repositoryUrl: 'https://github.com/cdk-genesys-eventbridge/cdk-genesys-eventbridge.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  // The sources live in lib/ and compile in place, the way aws-cdk-lib lays out its packages.
  srcdir: 'lib',
  libdir: 'lib',

  // integ-runner reads cloud assemblies only up to this aws-cdk-lib version.
  cdkVersion: '2.257.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  // TypeScript 7 breaks ts-jest and ts-node.
  typescriptVersion: '~6.0.0',

  // The lifecycle handler runs in Lambda, bundled by esbuild on its own; jsii publishes only the
  // constructs.
  excludeTypescript: ['lib/lifecycle/**'],

  // CI is .ci/run, which proves a fresh clone on a clean machine; no hosted workflows.
  github: false,
  release: false,
  buildWorkflow: false,

  // Non-JS targets are configured for release; this machine builds and tests the JS package only.
  publishToPypi: { distName: 'cdk-genesys-eventbridge', module: 'cdk_genesys_eventbridge' },
  publishToMaven: {
    javaPackage: 'dev.cdkgenesyseventbridge',
    mavenGroupId: 'dev.cdk-genesys-eventbridge',
    mavenArtifactId: 'cdk-genesys-eventbridge',
  },
  publishToNuget: { dotNetNamespace: 'CdkGenesysEventBridge', packageId: 'CdkGenesysEventBridge' },
  publishToGo: { moduleName: 'github.com/cdk-genesys-eventbridge/cdk-genesys-eventbridge-go' },

  devDeps: [
    '@aws-cdk/integ-runner',
    '@types/node@^20',
    '@aws-sdk/client-eventbridge',
    '@aws-sdk/client-secrets-manager',
    '@aws-sdk/client-sqs',
    '@aws-sdk/client-cloudwatch-logs',
    'ajv',
    'aws-cdk@^2',
    'aws-sdk-client-mock',
    'cdk-nag',
    'esbuild',
    // Only the benchmarks use it: the official SDK is the baseline for the handler's bundle size.
    'purecloud-platform-client-v2',
  ],

  jestOptions: {
    // Snapshots are verified, never rewritten, by the test command.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // Each end-to-end suite starts its own moto server and Genesys emulator on free ports, so
      // test files may run in parallel; the lifecycle waits need more than jest's 5 s default.
      collectCoverage: false,
      testTimeout: 60_000,
      // Sources and compiled files share lib/: resolve the TypeScript first, so that a stale .js
      // left by a jsii build never hides the source under test.
      moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'jsx', 'json', 'node'],
    },
  },
  eslint: true,
  eslintOptions: { dirs: ['lib'], devdirs: ['test', 'examples', 'bench', 'scripts'] },
  prettier: false,
});

// Sources and outputs share lib/: keep the TypeScript, ignore what the compiler writes.
project.gitignore.removePatterns('/lib');
project.gitignore.exclude('lib/**/*.js', 'lib/**/*.d.ts', '/assets/', '/cdk.out/', 'examples/cdk.out/', '*.tsbuildinfo');
project.npmignore?.removePatterns('/lib/');
project.npmignore?.exclude('lib/**/*.ts', '!lib/**/*.d.ts', 'lib/lifecycle/', '/examples/', '/bench/', '/.ci/', '/scripts/');
project.npmignore?.include('/assets/');

// The handler imports the AWS SDK clients that the Lambda runtime provides; the benchmarks, the
// sandbox and the examples run from a development checkout.
for (const pattern of ['lib/lifecycle/**', 'bench/**', 'scripts/**', 'examples/**']) {
  project.eslint?.allowDevDeps(pattern);
}

// The lifecycle handler is bundled whenever the constructs compile or are tested, so they always
// find their asset, and the packed module always carries it.
const bundle = project.addTask('bundle:handler', {
  description: 'Bundle the lifecycle handler with esbuild into assets/lifecycle-handler',
  exec: 'node scripts/bundle-handler.mjs',
});
project.compileTask.prependSpawn(bundle);
project.testTask.prependSpawn(bundle);

// The test command also proves the templates: cfn-lint over the example app, and the integ-runner
// snapshots verified offline (nothing is deployed).
// The benchmarks run through ts-node only when asked for: type-check them, and the scripts, so
// that a change of the handler's contract cannot leave them broken unnoticed.
project.testTask.exec('tsc --noEmit -p bench/tsconfig.json');
project.testTask.exec('tsc --noEmit -p scripts/tsconfig.json');
project.testTask.exec('bash scripts/lint-templates.sh');
project.testTask.exec('bash scripts/integ-verify.sh');

project.addTask('bench', {
  description: 'Run the benchmarks and write docs/benchmarks.md',
  exec: 'ts-node --project test/tsconfig.json --prefer-ts-exts bench/run.ts',
}).prependSpawn(bundle);

// The local sandbox: moto and the Genesys emulator, the example app's lifecycle driven by the real
// handler, sample events delivered, everything stopped at the end.
project.addTask('sandbox', {
  description: 'Run the whole product locally on moto and the Genesys emulator',
  exec: 'ts-node --project test/tsconfig.json --prefer-ts-exts scripts/sandbox.ts',
}).prependSpawn(bundle);

project.synth();
