import type { Command } from 'commander';
import type { EmbeddingModel } from '../../catalog/embedding-model.repository.js';
import { AppError } from '../../errors.js';
import { addModel, listRegisteredModels } from '../../workflows/embedding-models.js';
import type { CommandRunner } from '../command-runner.js';
import { formatBytes, formatTable, printJson } from '../render.js';

interface AddOptions {
  onnx: string;
  inputSize: string;
  layout: string;
  mean: string;
  std: string;
  output?: string;
  json?: boolean;
}

/** `--mean 0.48,0.46,0.41`: three numbers, or the spec's validation says what is wrong. */
function triple(value: string): [number, number, number] {
  const parts = value.split(',').map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
  return parts as [number, number, number];
}

export function registerModelCommands(program: Command, runner: CommandRunner): void {
  const model = program.command('model').description('image models for embeddings (the bundled default, and your own ONNX files)');
  model
    .command('add <name>')
    .description('register an ONNX image encoder (CLIP or DINOv2 image tower, a ResNet you exported); checked now with a trial run')
    .requiredOption('--onnx <file>', 'the .onnx file (copied into <home>/models/)')
    .requiredOption('--input-size <px>', 'images are stretched to this square size')
    .requiredOption('--layout <nchw|nhwc>', 'channels first (PyTorch exports) or last (TensorFlow)')
    .option('--mean <r,g,b>', 'per-channel mean on pixels scaled to 0..1', '0,0,0')
    .option('--std <r,g,b>', 'per-channel std on pixels scaled to 0..1', '1,1,1')
    .option('--output <tensor>', 'the output holding the embedding (needed when the model has several)')
    .option('--json', 'print the registered model as JSON')
    .action(
      runner.run<AddOptions>(async (context, options, output, [name]) => {
        const inputSize = Number(options.inputSize);
        if (options.layout !== 'nchw' && options.layout !== 'nhwc')
          throw new AppError('InputInvalid', `--layout must be nchw or nhwc, got ${JSON.stringify(options.layout)}.`);
        const registered = await addModel(context, {
          name: name!,
          file: options.onnx,
          spec: { inputSize, layout: options.layout, mean: triple(options.mean), std: triple(options.std), output: options.output },
        });
        if (options.json) printJson(output, registered);
        else
          output.out(
            `Registered model "${registered.name}": ${registered.dimensions}-d embeddings from output ${registered.output}, ${registered.inputSize} px ${registered.layout} input (sha256 ${registered.sha256.slice(0, 12)}…).`,
          );
      }),
    );
  model
    .command('list')
    .description('registered models')
    .option('--json', 'print JSON')
    .action(
      runner.run<{ json?: boolean }>(async (context, options, output) => {
        const models = await listRegisteredModels(context);
        if (options.json) {
          printJson(output, models);
          return;
        }
        output.out(formatTable([['NAME', 'DIMENSIONS', 'INPUT', 'OUTPUT', 'SOURCE', 'FILE'], ...models.map(row)]));
      }),
    );
}

function row(model: EmbeddingModel): string[] {
  const input = model.source === 'imported' ? '-' : `${model.inputSize}px ${model.layout}`;
  const file = model.source === 'imported' ? '(imported vectors only)' : `${model.fileName} (${formatBytes(model.bytes)})`;
  return [model.name, String(model.dimensions), input, model.output || '-', model.source, file];
}
