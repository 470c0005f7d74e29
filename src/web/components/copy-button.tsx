import { useEffect, useState } from 'react';

/** Copies `text`; falls back to selecting it where the Clipboard API is unavailable (plain-http hosts other than localhost). */
export function CopyButton({ text, label = 'Copy', selectTarget }: { text: string; label?: string; selectTarget?: () => HTMLElement | null }) {
  const [state, setState] = useState<'idle' | 'copied' | 'selected'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = window.setTimeout(() => setState('idle'), 2_500);
    return () => window.clearTimeout(timer);
  }, [state]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      const target = selectTarget?.();
      if (target) window.getSelection()?.selectAllChildren(target);
      setState('selected');
    }
  };
  return (
    <span className="copy">
      <button type="button" onClick={() => void copy()}>
        {label}
      </button>
      <span role="status" className="copy-status">
        {state === 'copied' ? 'Copied' : state === 'selected' ? 'Selected: press Ctrl+C to copy' : ''}
      </span>
    </span>
  );
}
