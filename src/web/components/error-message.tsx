import { ApiError } from '../api.js';

/** An API error as the user should read it: what went wrong, then what to do. */
export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof ApiError ? error.hint : null;
  const code = error instanceof ApiError ? error.code : null;
  return (
    <div className="error-message" role="alert">
      {title !== undefined && <strong>{title} </strong>}
      <span>{message}</span>
      {hint !== null && <p className="hint">{hint}</p>}
      {code !== null && <p className="error-code">{code}</p>}
    </div>
  );
}
