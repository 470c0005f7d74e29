import { describe, expect, it } from 'vitest';
import { asciiLower, GramTally, gramsOfText, mergeGramCounts, planShortText, RARE_GRAM_HOLDERS } from './name-grams.js';

describe('name grams', () => {
  it('lower-cases ASCII letters only, as both databases do', () => {
    expect(asciiLower('IMG_Été ÄRGER ß')).toBe('img_Été Ärger ß');
  });

  it('counts each 1- and 2-character gram once per key, by code point', () => {
    const tally = new GramTally();
    tally.add(1, 'AaA');
    tally.add(2, 'x🦆y');
    const counts = tally.counts();
    expect(counts.get('a')).toEqual({ holders: 1, ids: [1] });
    expect(counts.get('aa')).toEqual({ holders: 1, ids: [1] });
    expect(counts.get('🦆')).toEqual({ holders: 1, ids: [2] });
    expect(counts.get('x🦆')).toEqual({ holders: 1, ids: [2] });
    expect(counts.get('🦆y')).toEqual({ holders: 1, ids: [2] });
    expect(counts.has('A')).toBe(false);
    expect([...counts.keys()].sort()).toEqual(['a', 'aa', 'x', 'x🦆', 'y', '🦆', '🦆y'].sort());
  });

  it('drops the ids of a gram once RARE_GRAM_HOLDERS samples hold it, and keeps counting', () => {
    const tally = new GramTally();
    for (let id = 1; id <= RARE_GRAM_HOLDERS + 2; id++) tally.add(id, id === 7 ? 'q' : 'p');
    expect(tally.counts().get('p')).toEqual({ holders: RARE_GRAM_HOLDERS + 1, ids: null });
    expect(tally.counts().get('q')).toEqual({ holders: 1, ids: [7] });
  });

  it('merges a later run of samples into stored counts', () => {
    expect(mergeGramCounts(undefined, { holders: 1, ids: [9] })).toEqual({ holders: 1, ids: [9] });
    expect(mergeGramCounts({ holders: 2, ids: [1, 2] }, { holders: 1, ids: [9] })).toEqual({ holders: 3, ids: [1, 2, 9] });
    expect(mergeGramCounts({ holders: RARE_GRAM_HOLDERS - 1, ids: [1] }, { holders: 1, ids: [9] })).toEqual({ holders: RARE_GRAM_HOLDERS, ids: null });
    expect(mergeGramCounts({ holders: RARE_GRAM_HOLDERS, ids: null }, { holders: 1, ids: [9] })).toEqual({ holders: RARE_GRAM_HOLDERS + 1, ids: null });
  });

  it('looks a text up by itself when short, else by its 2-character grams', () => {
    expect(gramsOfText('é')).toEqual(['é']);
    expect(gramsOfText('#2')).toEqual(['#2']);
    expect(gramsOfText('🦆🦆')).toEqual(['🦆🦆']);
    expect(gramsOfText('#2#2')).toEqual(['#2', '2#']);
    expect(gramsOfText('')).toEqual([]);
  });

  it('answers none when a gram is held by no sample, the rarest ids when kept, else a walk', () => {
    const counts = new Map([
      ['ab', { holders: 9_000, ids: null }],
      ['bc', { holders: 3, ids: [4, 5, 6] }],
      ['cd', { holders: 7_000, ids: null }],
    ]);
    expect(planShortText(['ab', 'bc'], counts)).toEqual({ kind: 'ids', ids: [4, 5, 6] });
    expect(planShortText(['ab', 'cd'], counts)).toEqual({ kind: 'walk' });
    expect(planShortText(['ab', 'zz'], counts)).toEqual({ kind: 'none' });
  });
});
