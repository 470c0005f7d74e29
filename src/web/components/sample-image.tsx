import { useState } from 'react';
import { api, type Sample } from '../api.js';

type Attempt = { src: string | null; state: 'first' | 'retried' | 'failed' };

/**
 * A sample's image. Presigned URLs expire (and pages of the grid are cached), so when the
 * image fails it asks the server once for a freshly signed URL before giving up.
 */
export function SampleImage({ dataset, sample, variant, alt }: { dataset: string; sample: Sample; variant: 'thumbnail' | 'full'; alt: string }) {
  const initial = variant === 'thumbnail' ? (sample.thumbnailUrl ?? sample.url) : sample.url;
  const [attempt, setAttempt] = useState<Attempt>({ src: initial, state: initial === null ? 'failed' : 'first' });

  const retry = async () => {
    if (attempt.state !== 'first') {
      setAttempt({ src: null, state: 'failed' });
      return;
    }
    setAttempt({ src: null, state: 'retried' });
    try {
      const fresh = await api.sample(dataset, sample.key);
      const src = variant === 'thumbnail' ? (fresh.thumbnailUrl ?? fresh.url) : fresh.url;
      setAttempt({ src, state: src === null ? 'failed' : 'retried' });
    } catch {
      setAttempt({ src: null, state: 'failed' });
    }
  };

  if (attempt.state === 'failed') {
    return (
      <span className="image-missing" role="img" aria-label={`${alt} (cannot be shown)`}>
        {sample.status === 'error' ? 'Unreadable image' : 'Cannot show this image'}
      </span>
    );
  }
  if (attempt.src === null) return <span className="image-loading" aria-hidden="true" />;
  return (
    <img
      src={attempt.src}
      alt={alt}
      loading={variant === 'thumbnail' ? 'lazy' : 'eager'}
      decoding="async"
      width={sample.width ?? undefined}
      height={sample.height ?? undefined}
      draggable={false}
      onError={() => void retry()}
    />
  );
}
