// Synthesizes the stack in a process of its own: CDK and esbuild write progress straight to the
// inherited stdout/stderr, which would otherwise break into the demo's story.
import { synthesizeBundles } from '../local';

const [outdir] = process.argv.slice(2);

function reply(message: { bundles: Record<string, string> } | { error: string }): void {
  process.send?.(message, () => process.disconnect());
}

try {
  if (!outdir) throw new Error('usage: synth-worker.ts <outdir>');
  reply({ bundles: synthesizeBundles(outdir) });
} catch (error) {
  reply({ error: error instanceof Error ? error.message : String(error) });
}
