import { App, Errors, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CacheAccessStack } from './cache-access-stack';
import { loadConfig } from './config/load';
import { InvalidConfigError } from './config/validate';
import { DeployLimitError, templateSizeProblems } from './stack-limits';

try {
  const app = new App();
  new CacheAccessStack(app, 'CacheAccessAutomation', {
    config: loadConfig((key) => app.node.tryGetContext(key)),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const problems = templateSizeProblems(app.synth());
  if (problems.length > 0) throw new DeployLimitError(problems.join('\n'));
} catch (error) {
  if (!isTheUsersToFix(error)) throw error;
  // The problem, not a page of minified library source: a stack trace helps nobody fix a config.
  console.error(error.message);
  process.exit(1);
}

/** A config problem, or a limit the CDK checks at synth (resource count, environment size): the user's to fix. */
function isTheUsersToFix(error: unknown): error is Error {
  if (error instanceof InvalidConfigError || error instanceof DeployLimitError) return true;
  return Errors.isValidationError(error);
}
