import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, type SelectionReport, type SelectRequest } from '../api.js';
import { formatCount } from '../format.js';
import { ErrorMessage } from './error-message.js';
import { invalidateTagViews } from './selection-bar.js';

type StrategyName = SelectRequest['strategies'][number]['name'];

const STRATEGIES: Array<{ name: StrategyName; label: string; needs?: 'text field' | 'number field' | 'tag' }> = [
  { name: 'diversity', label: 'Diversity (cover the embedding space)' },
  { name: 'typicality', label: 'Typicality (prefer dense, representative samples)' },
  { name: 'balance', label: 'Balance a text field', needs: 'text field' },
  { name: 'similarity', label: 'Similarity to a tag', needs: 'tag' },
  { name: 'weights', label: 'Prefer high values of a number field', needs: 'number field' },
  { name: 'random', label: 'Random' },
];

interface StrategyChoice {
  on: boolean;
  strength: string;
  /** balance / weights: the field; similarity: the tag. */
  argument: string;
}

interface SelectionFormProps {
  dataset: string;
  /** Show picks (a preview or the saved selection) in the grid. */
  onShowPicks: (title: string, keys: string[]) => void;
}

/**
 * Pick samples worth labelling: strategies combined with strengths, N or a proportion, starting from
 * a tag, into a tag. "Preview" picks and stores nothing; "Save" stores the same picks (same seed).
 */
export function SelectionForm({ dataset, onShowPicks }: SelectionFormProps) {
  const id = useId();
  const tags = useQuery({ queryKey: ['tags', dataset], queryFn: () => api.tags(dataset) });
  const fields = useQuery({ queryKey: ['metadata-fields', dataset], queryFn: () => api.metadataFields(dataset) });
  const [choices, setChoices] = useState<Record<StrategyName, StrategyChoice>>(
    () =>
      Object.fromEntries(STRATEGIES.map(({ name }) => [name, { on: name === 'diversity', strength: '1', argument: '' }])) as Record<
        StrategyName,
        StrategyChoice
      >,
  );
  const [sizeBy, setSizeBy] = useState<'count' | 'proportion'>('count');
  const [count, setCount] = useState('10');
  const [percent, setPercent] = useState('10');
  const [fromTag, setFromTag] = useState('');
  const [resultTag, setResultTag] = useState('');
  const [seed, setSeed] = useState('1');
  const [preview, setPreview] = useState<SelectionReport | null>(null);

  const buildRequest = (dryRun: boolean): SelectRequest => ({
    strategies: STRATEGIES.filter(({ name }) => choices[name].on).map(({ name }) => {
      const choice = choices[name];
      return {
        name,
        strength: Number(choice.strength),
        ...(name === 'balance' ? { field: choice.argument } : {}),
        ...(name === 'weights' ? { field: choice.argument } : {}),
        ...(name === 'similarity' ? { queryTag: choice.argument } : {}),
      };
    }),
    ...(sizeBy === 'count' ? { count: Number(count) } : { proportion: Number(percent) / 100 }),
    ...(fromTag === '' ? {} : { fromTag }),
    ...(dryRun || resultTag.trim() === '' ? {} : { tag: resultTag.trim() }),
    seed: Number(seed),
    dryRun,
  });

  const run = useMutation({
    mutationFn: (dryRun: boolean) => api.select(dataset, buildRequest(dryRun)),
    onSuccess: async (report, dryRun) => {
      if (dryRun) {
        setPreview(report);
        onShowPicks(`Preview: ${report.keys.length} picks (nothing stored yet)`, report.keys);
      } else {
        setPreview(null);
        onShowPicks(`Saved: ${report.keys.length} new picks in “${report.tag}” (now ${report.tagSize ?? report.keys.length})`, report.keys);
        await invalidateTagViews(dataset);
      }
    },
  });
  const setChoice = (name: StrategyName, change: Partial<StrategyChoice>) => setChoices((current) => ({ ...current, [name]: { ...current[name], ...change } }));
  const textFields = fields.data?.filter((field) => field.texts > 0).map((field) => field.field) ?? [];
  const numberFields = fields.data?.filter((field) => field.numbers > 0).map((field) => field.field) ?? [];
  const anyStrategy = STRATEGIES.some(({ name }) => choices[name].on);

  return (
    <details className="selection-form">
      <summary>Select samples</summary>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          run.mutate(false);
        }}
      >
        <fieldset>
          <legend>Strategies, combined by strength</legend>
          {STRATEGIES.map(({ name, label, needs }) => {
            const choice = choices[name];
            const options = needs === 'text field' ? textFields : needs === 'number field' ? numberFields : (tags.data?.map((tag) => tag.name) ?? []);
            return (
              <div key={name} className="strategy-row">
                <label>
                  <input type="checkbox" checked={choice.on} onChange={(event) => setChoice(name, { on: event.target.checked })} /> {label}
                </label>
                {choice.on && (
                  <>
                    <label>
                      strength{' '}
                      <input
                        type="number"
                        min="0"
                        step="0.1"
                        className="narrow-input"
                        aria-label={`Strength of ${name}`}
                        value={choice.strength}
                        onChange={(event) => setChoice(name, { strength: event.target.value })}
                      />
                    </label>
                    {needs && (
                      <select aria-label={`${name}: ${needs}`} value={choice.argument} onChange={(event) => setChoice(name, { argument: event.target.value })}>
                        <option value="">{options.length === 0 ? `no ${needs} yet` : `choose a ${needs}`}</option>
                        {options.map((option) => (
                          <option key={option} value={option}>
                            {option}
                          </option>
                        ))}
                      </select>
                    )}
                  </>
                )}
              </div>
            );
          })}
        </fieldset>
        <div className="selection-size">
          <label>
            <input type="radio" name={`${id}-size`} checked={sizeBy === 'count'} onChange={() => setSizeBy('count')} /> Add
          </label>
          <input type="number" min="1" aria-label="How many to add" className="narrow-input" value={count} onChange={(event) => setCount(event.target.value)} />
          <label>
            <input type="radio" name={`${id}-size`} checked={sizeBy === 'proportion'} onChange={() => setSizeBy('proportion')} /> or reach
          </label>
          <input
            type="number"
            min="0.1"
            max="100"
            step="0.1"
            aria-label="Percent of the pool to reach"
            className="narrow-input"
            value={percent}
            onChange={(event) => setPercent(event.target.value)}
          />
          % of the pool
        </div>
        <div className="selection-tags">
          <label htmlFor={`${id}-from`}>Start from tag</label>
          <select id={`${id}-from`} value={fromTag} onChange={(event) => setFromTag(event.target.value)}>
            <option value="">nothing selected yet</option>
            {tags.data?.map((tag) => (
              <option key={tag.name} value={tag.name}>
                {tag.name} ({formatCount(tag.size)})
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-tag`}>Result tag</label>
          <input id={`${id}-tag`} value={resultTag} placeholder="to-label" onChange={(event) => setResultTag(event.target.value)} />
          <label htmlFor={`${id}-seed`}>Seed</label>
          <input id={`${id}-seed`} type="number" className="narrow-input" value={seed} onChange={(event) => setSeed(event.target.value)} />
        </div>
        <div className="selection-actions">
          <button type="button" onClick={() => run.mutate(true)} disabled={run.isPending || !anyStrategy}>
            Preview
          </button>
          <button type="submit" className="primary" disabled={run.isPending || !anyStrategy || resultTag.trim() === ''}>
            Save as tag
          </button>
          {run.isPending && <span role="status">Selecting…</span>}
          {preview && (
            <span role="status" className="hint">
              Preview: {formatCount(preview.keys.length)} picks from a pool of {formatCount(preview.pool)}
              {preview.preselected > 0 && `, ${formatCount(preview.preselected)} already selected`}; stopped by {preview.stoppedBecause}. They are shown in the
              grid below.
            </span>
          )}
        </div>
        {run.isError && <ErrorMessage error={run.error} title="No selection." />}
      </form>
    </details>
  );
}
