import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CacheAccessStack } from './cache-access-stack';
import { loadConfig } from './config/load';
import type { CacheAccessConfig } from './config/schema';
import { InvalidConfigError } from './config/validate';

const app = new App();
new CacheAccessStack(app, 'CacheAccessAutomation', { config: configOrExit(app) });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

/** A config problem is the user's to fix: print the list of problems, not a stack trace. */
function configOrExit(app: App): CacheAccessConfig {
  try {
    return loadConfig((key) => app.node.tryGetContext(key));
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
