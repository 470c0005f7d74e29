import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { validateImageEncoder, type ImageEncoderSpec, type ModelDescription } from './image-encoder.js';

const CLIP: ImageEncoderSpec = { inputSize: 224, layout: 'nchw', mean: [0.4815, 0.4578, 0.4082], std: [0.2686, 0.2613, 0.2758] };
const pixels = { name: 'pixel_values', type: 'float32', dims: ['batch', 3, 224, 224] };

function refusal(description: ModelDescription, spec: ImageEncoderSpec): AppError {
  try {
    validateImageEncoder(description, spec);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a ModelInvalid error');
}

describe('validateImageEncoder', () => {
  it('accepts a CLIP-style image tower and picks the named output', () => {
    const description = {
      inputs: [pixels],
      outputs: [
        { name: 'image_embeds', type: 'float32', dims: ['batch', 512] },
        { name: 'last_hidden_state', type: 'float32', dims: ['batch', 50, 768] },
      ],
    };
    expect(validateImageEncoder(description, { ...CLIP, output: 'image_embeds' })).toEqual({
      input: 'pixel_values',
      output: 'image_embeds',
      dimensions: 512,
      maxBatch: undefined,
    });
  });

  it('accepts a pooled feature map [N, D, 1, 1] and an output without a declared shape', () => {
    const pooled = validateImageEncoder({ inputs: [pixels], outputs: [{ name: 'pool', type: 'float32', dims: ['N', 2048, 1, 1] }] }, CLIP);
    expect(pooled.dimensions).toBe(2048);
    const unknown = validateImageEncoder({ inputs: [pixels], outputs: [{ name: 'out', type: 'float32', dims: [] }] }, CLIP);
    expect(unknown.dimensions).toBeUndefined();
  });

  it('asks which output to use when there are several', () => {
    const error = refusal(
      {
        inputs: [pixels],
        outputs: [
          { name: 'a', type: 'float32', dims: ['N', 5] },
          { name: 'b', type: 'float32', dims: ['N', 7] },
        ],
      },
      CLIP,
    );
    expect(error.code).toBe('ModelInvalid');
    expect(error.message).toBe(
      'This model cannot be used as an image encoder: it has 2 outputs (a float32[N, 5], b float32[N, 7]) and --output does not say which holds the embedding.',
    );
  });

  it('refuses per-token features and a full CLIP model with a text input', () => {
    const tokens = refusal({ inputs: [pixels], outputs: [{ name: 'last_hidden_state', type: 'float32', dims: ['batch', 50, 768] }] }, CLIP);
    expect(tokens.message).toContain('is not one vector per image');
    expect(tokens.hint).toContain('pooled output');
    const full = refusal(
      {
        inputs: [{ name: 'input_ids', type: 'int64', dims: ['batch', 77] }, pixels],
        outputs: [{ name: 'logits_per_image', type: 'float32', dims: ['batch', 'batch'] }],
      },
      CLIP,
    );
    expect(full.message).toBe(
      'This model cannot be used as an image encoder: it takes 2 inputs (input_ids int64[batch, 77], pixel_values float32[batch, 3, 224, 224]); an image encoder takes one image tensor.',
    );
  });

  it('refuses a batch fixed above 1 and a non-float output', () => {
    expect(refusal({ inputs: [{ ...pixels, dims: [8, 3, 224, 224] }], outputs: [{ name: 'e', type: 'float32', dims: [8, 512] }] }, CLIP).message).toContain(
      'fixed batch size of 8',
    );
    expect(refusal({ inputs: [pixels], outputs: [{ name: 'e', type: 'int64', dims: ['N', 512] }] }, CLIP).message).toContain('is int64, not float32');
  });
});
