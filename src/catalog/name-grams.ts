/**
 * The 1- and 2-character grams "name contains" looks short texts up by (issue 21). Pure: keys and
 * counts in, counts out. A sample matches a text when its key, lower-cased as both databases do it
 * (ASCII letters only: SQLite's lower() without ICU, PostgreSQL's in the "C" collation), contains the
 * text lower-cased; so every gram of the text is a gram of each matching key, and a gram no key holds
 * means no match at all.
 */

/** A gram held by fewer samples than this keeps their ids, which then answer the query; beyond, walking the key order finds a page soon. */
export const RARE_GRAM_HOLDERS = 5_000;

/** Lower-cases A-Z only, as SQLite's lower() and PostgreSQL's lower() in the "C" collation do. */
export function asciiLower(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase()) : text;
}

export interface GramCount {
  holders: number;
  /** The holders' ids while fewer than RARE_GRAM_HOLDERS; null beyond. */
  ids: number[] | null;
}

/** Letters below this get a dense slot table for their 2-grams; others (rare in keys) go through a Map. */
const DENSE_LETTERS = 256;

/**
 * Counts of the grams of a run of samples; add samples in any order, then read `counts()`. Hand-written
 * over integer slots rather than a Map of gram strings: the first count of a catalog reads every key, and
 * strings made per gram took ~30 µs a key (30 s for 10^6 keys on a loaded machine).
 */
export class GramTally {
  /** Code point (A-Z already folded) → letter number, dense from 0. */
  private readonly letters = new Map<number, number>();
  /** The same for ASCII, without a Map lookup (-1: not seen yet). */
  private readonly asciiLetters = new Int32Array(128).fill(-1);
  private readonly letterCodes: number[] = [];
  /** Letter number → slot of its 1-gram. */
  private readonly singleSlots: number[] = [];
  /** a * DENSE_LETTERS + b → slot of the 2-gram, for letter numbers a, b below DENSE_LETTERS (0 = none yet, else slot + 1). */
  private readonly denseSlots = new Int32Array(DENSE_LETTERS * DENSE_LETTERS);
  private readonly sparseSlots = new Map<number, number>();
  /** Per slot: the gram as letter numbers, its holders, the last row counted (a key holding it twice counts once), and its ids. */
  private readonly slotLetters: Array<[number] | [number, number]> = [];
  private readonly holders: number[] = [];
  private readonly lastRow: number[] = [];
  private readonly ids: Array<number[] | null> = [];
  private rows = 0;

  add(id: number, key: string): void {
    const row = ++this.rows;
    let previous = -1;
    for (let index = 0; index < key.length; index++) {
      let code = key.charCodeAt(index);
      // A surrogate pair is one character, as in SQL.
      if (code >= 0xd800 && code < 0xdc00 && index + 1 < key.length) {
        const low = key.charCodeAt(index + 1);
        if (low >= 0xdc00 && low < 0xe000) {
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          index++;
        }
      } else if (code >= 65 && code <= 90) {
        code += 32;
      }
      const letter = this.letterOf(code);
      this.count(this.singleSlots[letter]!, id, row);
      if (previous >= 0) this.count(this.pairSlot(previous, letter), id, row);
      previous = letter;
    }
  }

  counts(): Map<string, GramCount> {
    const counts = new Map<string, GramCount>();
    this.slotLetters.forEach((letters, slot) => {
      const gram = letters.map((letter) => String.fromCodePoint(this.letterCodes[letter]!)).join('');
      counts.set(gram, { holders: this.holders[slot]!, ids: this.ids[slot]! });
    });
    return counts;
  }

  private letterOf(code: number): number {
    if (code < 128) {
      const ascii = this.asciiLetters[code]!;
      if (ascii >= 0) return ascii;
    }
    let letter = this.letters.get(code);
    if (letter === undefined) {
      letter = this.letterCodes.length;
      this.letters.set(code, letter);
      this.letterCodes.push(code);
      this.singleSlots.push(this.newSlot([letter]));
      if (code < 128) this.asciiLetters[code] = letter;
    }
    return letter;
  }

  private pairSlot(first: number, second: number): number {
    if (first < DENSE_LETTERS && second < DENSE_LETTERS) {
      const index = first * DENSE_LETTERS + second;
      const slot = this.denseSlots[index]!;
      if (slot > 0) return slot - 1;
      const created = this.newSlot([first, second]);
      this.denseSlots[index] = created + 1;
      return created;
    }
    // Letter numbers stay below 2^21 (there are fewer code points), so the pair fits a double exactly.
    const pair = first * 2 ** 21 + second;
    let slot = this.sparseSlots.get(pair);
    if (slot === undefined) {
      slot = this.newSlot([first, second]);
      this.sparseSlots.set(pair, slot);
    }
    return slot;
  }

  private newSlot(letters: [number] | [number, number]): number {
    this.slotLetters.push(letters);
    this.holders.push(0);
    this.lastRow.push(0);
    this.ids.push([]);
    return this.slotLetters.length - 1;
  }

  private count(slot: number, id: number, row: number): void {
    if (this.lastRow[slot] === row) return;
    this.lastRow[slot] = row;
    const holders = ++this.holders[slot]!;
    const ids = this.ids[slot]!;
    if (ids === null) return;
    if (holders < RARE_GRAM_HOLDERS) ids.push(id);
    else this.ids[slot] = null;
  }
}

/** A gram's count after adding a later run of samples to it (the runs hold different samples). */
export function mergeGramCounts(before: GramCount | undefined, added: GramCount): GramCount {
  if (before === undefined) return added;
  const holders = before.holders + added.holders;
  return { holders, ids: before.ids !== null && added.ids !== null && holders < RARE_GRAM_HOLDERS ? [...before.ids, ...added.ids] : null };
}

/** The grams to look a lower-cased text up by: the text itself when it has 1 or 2 characters, else its 2-character grams. */
export function gramsOfText(text: string): string[] {
  const characters = [...text];
  if (characters.length <= 2) return characters.length === 0 ? [] : [text];
  const grams = new Set<string>();
  for (let index = 1; index < characters.length; index++) grams.add(characters[index - 1]! + characters[index]!);
  return [...grams];
}

export type ShortTextPlan = { kind: 'none' } | { kind: 'ids'; ids: number[] } | { kind: 'walk' };

/**
 * How to find the samples whose keys hold every one of the text's grams: none when a gram is held by no
 * sample; the ids of the rarest gram when it keeps them (a superset of the matches); else walk in page order.
 */
export function planShortText(grams: readonly string[], counts: ReadonlyMap<string, GramCount>): ShortTextPlan {
  let rarest: GramCount | undefined;
  for (const gram of grams) {
    const count = counts.get(gram);
    if (count === undefined || count.holders === 0) return { kind: 'none' };
    if (rarest === undefined || count.holders < rarest.holders) rarest = count;
  }
  if (rarest?.ids) return { kind: 'ids', ids: rarest.ids };
  return { kind: 'walk' };
}
