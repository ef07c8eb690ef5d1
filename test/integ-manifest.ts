/**
 * Declares the test cases of an integ-runner app, the way the IntegTest construct of
 * @aws-cdk/integ-tests-alpha does: an integ manifest (`integ.json`) written into the cloud
 * assembly when the app synthesizes. That package is not a dependency of this project; the
 * manifest is all integ-runner needs to treat the app as a test suite.
 */
import * as path from 'node:path';
import { App, ISynthesisSession, Stack, attachCustomSynthesis } from 'aws-cdk-lib';
import { Manifest } from 'aws-cdk-lib/cloud-assembly-schema';

/** Registers one test case that deploys the given stacks. */
export function declareIntegTest(app: App, testCaseName: string, stacks: Stack[]): void {
  attachCustomSynthesis(app, {
    onSynthesize: (session: ISynthesisSession) => {
      Manifest.saveIntegManifest({
        version: Manifest.version(),
        testCases: {
          [testCaseName]: {
            stacks: stacks.map((stack) => stack.artifactId),
            // Asset hashes change whenever the lifecycle handler is rebuilt: compare templates
            // without them, and keep the bundles out of the committed snapshot.
            diffAssets: false,
            stackUpdateWorkflow: false,
          },
        },
      }, path.join(session.outdir, 'integ.json'));
    },
  });
}
