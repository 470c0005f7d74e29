import { useRef } from 'react';
import { CopyButton } from './copy-button.js';

/** Preformatted text (a policy, a CORS configuration) with a copy button. */
export function CodeBlock({ text, label, copyLabel }: { text: string; label: string; copyLabel: string }) {
  const pre = useRef<HTMLPreElement>(null);
  return (
    <div className="code-block">
      <div className="code-block-bar">
        <span>{label}</span>
        <CopyButton text={text} label={copyLabel} selectTarget={() => pre.current} />
      </div>
      <pre ref={pre} tabIndex={0} aria-label={label}>
        {text}
      </pre>
    </div>
  );
}
