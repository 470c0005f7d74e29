import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CatalogInsertRate } from './catalog-insert.js';
import type { FullSync, ProbeThroughput } from './header-probing.js';
import type { ListingComparison } from './listing-comparison.js';

export interface SizeResults {
  objects: number;
  seedMs: number;
  listing: ListingComparison;
  fullSync: FullSync;
}

export interface BenchResults {
  startedAt: string;
  environment: Record<string, string | number>;
  sizes: SizeResults[];
  probing: ProbeThroughput[];
  catalogInsert: CatalogInsertRate[];
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;
const ratio = (value: number): string => value.toFixed(2);
export const shortCount = (n: number): string => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));

export function printSizeResults(size: SizeResults): void {
  const { listing, fullSync } = size;
  console.log(`\nN=${count(size.objects)} (seeded in ${seconds(size.seedMs)}; median of ${listing.rclone.wallMsRuns.length} runs each)`);
  for (const winnow of listing.winnow) {
    console.log(
      `  listing+catalog [${winnow.dialect.padEnd(8)}]: winnow ${seconds(winnow.medianListingMs)} (${count(winnow.keysPerSecond)} keys/s), rclone ${seconds(listing.rclone.medianWallMs)}, ratio winnow/rclone ${ratio(winnow.ratioToRclone)} (target <= 1.0)`,
    );
  }
  console.log(
    `    runs: rclone ${listing.rclone.wallMsRuns.map(seconds).join(', ')}; ${listing.winnow.map((w) => `${w.dialect} ${w.listingMsRuns.map(seconds).join(', ')} (CLI wall ${seconds(w.medianWallMs)}, peak RSS ${mib(w.peakRssKib)})`).join('; ')}; rclone peak RSS ${mib(listing.rclone.peakRssKib)}`,
  );
  console.log(
    `  full sync [sqlite, direct]: listing ${seconds(fullSync.listingMs)}, header reads ${seconds(fullSync.probingMs)} (${count(fullSync.probesPerSecond)} objects/s at the default concurrency), CLI wall ${seconds(fullSync.wallMs)}, peak RSS ${mib(fullSync.peakRssKib)}`,
  );
}

export function printProbing(probing: readonly ProbeThroughput[]): void {
  if (probing.length === 0) return;
  const rates = probing.map((p) => `c=${p.concurrency} ${count(p.probesPerSecond)} objects/s (x${ratio(p.speedUpVsFirst)})`);
  console.log(`\nheader probing (${count(probing[0]!.objects)} objects): ${rates.join(', ')}`);
}

export function printCatalogInsert(rates: readonly CatalogInsertRate[]): void {
  if (rates.length === 0) return;
  const { rows, transactionSize } = rates[0]!;
  console.log(
    `\ncatalog insert (${count(rows)} rows, ${count(transactionSize)} per transaction): ${rates.map((r) => `${r.dialect} ${count(r.rowsPerSecond)} rows/s`).join(', ')}`,
  );
}

export function printPeakRss(sizes: readonly SizeResults[]): void {
  const parts = sizes.map((size) => `N=${shortCount(size.objects)} ${mib(size.fullSync.peakRssKib)}`);
  const first = sizes[0]?.fullSync.peakRssKib;
  const last = sizes.at(-1)?.fullSync.peakRssKib;
  const growth = sizes.length > 1 && first !== undefined && last !== undefined ? ` (ratio ${ratio(last / first)}, target: flat ~1.0)` : '';
  console.log(`\npeak RSS (full sync): ${parts.join(', ')}${growth}`);
}

/** One row per figure: what was measured, Winnow's value, the peer or baseline, the ratio, the target. */
export function summaryRows(results: BenchResults): string[][] {
  const rows: string[][] = [['measure', 'winnow', 'against', 'ratio', 'target']];
  for (const size of results.sizes) {
    const n = shortCount(size.objects);
    for (const w of size.listing.winnow) {
      rows.push([
        `listing+catalog N=${n} ${w.dialect}`,
        seconds(w.medianListingMs),
        `rclone ${seconds(size.listing.rclone.medianWallMs)}`,
        ratio(w.ratioToRclone),
        '<= 1.0',
      ]);
    }
    rows.push([`header reads N=${n} c=16`, `${count(size.fullSync.probesPerSecond)}/s`, '', '', '']);
  }
  for (const p of results.probing) {
    rows.push([
      `header reads ${shortCount(p.objects)} c=${p.concurrency}`,
      `${count(p.probesPerSecond)}/s`,
      `c=${results.probing[0]!.concurrency}`,
      ratio(p.speedUpVsFirst),
      '',
    ]);
  }
  for (const r of results.catalogInsert) rows.push([`catalog insert ${r.dialect}`, `${count(r.rowsPerSecond)} rows/s`, '', '', '']);
  const first = results.sizes[0];
  for (const size of results.sizes) {
    const baseline = first === undefined || first === size ? '' : `N=${shortCount(first.objects)} ${mib(first.fullSync.peakRssKib)}`;
    const growth = baseline === '' ? '' : ratio(size.fullSync.peakRssKib / first!.fullSync.peakRssKib);
    rows.push([`peak RSS N=${shortCount(size.objects)}`, mib(size.fullSync.peakRssKib), baseline, growth, baseline === '' ? '' : 'flat']);
  }
  return rows;
}

export function printTable(rows: readonly string[][]): void {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  console.log('\nsummary');
  for (const row of rows)
    console.log(
      `  ${row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd()}`,
    );
}

/** Writes bench/results/sync-<timestamp>.json and returns its path. */
export function writeResultsJson(results: BenchResults): string {
  const folder = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `sync-${results.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
