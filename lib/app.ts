import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CacheAccessStack } from './cache-access-stack';
import { loadConfig } from './config/load';

const app = new App();
new CacheAccessStack(app, 'CacheAccessAutomation', {
  config: loadConfig((key) => app.node.tryGetContext(key)),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
