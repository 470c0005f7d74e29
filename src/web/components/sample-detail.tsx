import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { Sample } from '../api.js';
import { fileName, folderOf, formatBytes, formatDate } from '../format.js';
import { SampleImage } from './sample-image.js';

interface SampleDetailProps {
  dataset: string;
  /** Undefined while the sample's page loads. */
  sample: Sample | undefined;
  position: number;
  count: number;
  /** The number of samples, once the grid has reached the end. */
  total: number | null;
  onClose: () => void;
  onStep: (delta: -1 | 1) => void;
  /** Shows the sample's nearest neighbours (when the dataset has embeddings). */
  onMoreLikeThis?: ((key: string) => void) | undefined;
}

/** One sample, full size, with everything the catalog knows about it. A modal dialog: Escape closes, ←/→ step. */
export function SampleDetail({ dataset, sample, position, count, total, onClose, onStep, onMoreLikeThis }: SampleDetailProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.target instanceof HTMLElement && event.target.closest('a, input, textarea, select')) return;
    if (event.key === 'ArrowLeft' && position > 0) onStep(-1);
    else if (event.key === 'ArrowRight' && position < count - 1) onStep(1);
    else return;
    event.preventDefault();
  };

  return (
    <dialog
      ref={dialog}
      className="sample-detail"
      aria-labelledby="sample-detail-title"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onKeyDown={onKeyDown}
      onClick={(event) => {
        // A click on the backdrop lands on the dialog element itself.
        if (event.target === dialog.current) onClose();
      }}
    >
      <div className="sample-detail-body">
        <header className="sample-detail-header">
          <h2 id="sample-detail-title" className="sample-key">
            {sample ? (
              <>
                <span className="folder">{folderOf(sample.key)}</span>
                {fileName(sample.key)}
              </>
            ) : (
              'Loading…'
            )}
          </h2>
          <div className="sample-detail-nav">
            {onMoreLikeThis && sample && (
              <button
                type="button"
                onClick={() => {
                  onMoreLikeThis(sample.key);
                  onClose();
                }}
              >
                More like this
              </button>
            )}
            <button type="button" onClick={() => onStep(-1)} disabled={position === 0} aria-label="Previous sample" title="Previous (←)">
              ←
            </button>
            <span className="position">
              {total === null ? `#${(position + 1).toLocaleString()}` : `${(position + 1).toLocaleString()} of ${total.toLocaleString()}`}
            </span>
            <button type="button" onClick={() => onStep(1)} disabled={position >= count - 1} aria-label="Next sample" title="Next (→)">
              →
            </button>
            <button type="button" className="close" onClick={onClose} autoFocus aria-label="Close" title="Close (Esc)">
              ✕
            </button>
          </div>
        </header>
        {sample === undefined ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <div className="sample-detail-content">
            <div className="sample-detail-image">
              <SampleImage key={sample.key} dataset={dataset} sample={sample} variant="full" alt={sample.key} />
            </div>
            <SampleFacts sample={sample} />
          </div>
        )}
      </div>
    </dialog>
  );
}

function SampleFacts({ sample }: { sample: Sample }) {
  const facts: Array<[string, React.ReactNode]> = [
    ['Key', <span className="sample-key-full">{sample.key}</span>],
    ['Status', <span className={`badge status-${sample.status}`}>{sample.status}</span>],
    ['Size', `${formatBytes(sample.size)} (${sample.size.toLocaleString()} bytes)`],
    ['Dimensions', sample.width !== null && sample.height !== null ? `${sample.width} × ${sample.height} px` : 'unknown'],
    ['Format', sample.format ?? 'unknown'],
    ['ETag', <code>{sample.etag ?? '—'}</code>],
    ['Last modified', formatDate(sample.lastModified)],
    ['First seen', formatDate(sample.firstSeenAt)],
    ['Last seen', formatDate(sample.lastSeenAt)],
  ];
  return (
    <div className="sample-facts">
      <dl>
        {facts.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {sample.error !== null && (
        <p className="sample-error" role="note">
          <strong>Error:</strong> {sample.error}
        </p>
      )}
      {sample.thumbnailError && (
        <p className="sample-error" role="note">
          <strong>No thumbnail:</strong> {sample.thumbnailError}
        </p>
      )}
      {sample.url !== null && (
        <p>
          <a href={sample.url} target="_blank" rel="noreferrer">
            Open the original in a new tab
          </a>
        </p>
      )}
    </div>
  );
}
