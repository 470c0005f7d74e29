import { LIGHTS, type CorsCheck, type Light, type VerifyCheck, type VerifyReport } from '../api.js';
import { CodeBlock } from './code-block.js';

const LIGHT_NAMES: Record<Light, string> = { list: 'List', read: 'Read', write: 'Write', overwrite: 'Overwrite', delete: 'Delete' };

/** The five lights of `verify`, each with the call it made, and on failure the reason and the fix; then the browser (CORS) check. */
export function VerifyResult({ report }: { report: VerifyReport }) {
  return (
    <section className="verify-result" aria-labelledby="verify-heading">
      <h2 id="verify-heading">What these credentials may do</h2>
      <p className="summary">{report.summary}</p>
      <ul className="lights">
        {LIGHTS.map((light) => (
          <LightRow key={light} light={light} check={report.checks[light]} />
        ))}
      </ul>
      {report.leftBehind !== undefined && (
        <p className="notice">
          The probe object <code>{report.leftBehind}</code> could not be deleted and was left behind.
        </p>
      )}
      {report.cors && <CorsResult cors={report.cors} />}
    </section>
  );
}

function lightState(check: VerifyCheck): 'ok' | 'denied' | 'skipped' {
  if (check.ok) return 'ok';
  return check.skipped ? 'skipped' : 'denied';
}

const STATE_WORDS = { ok: 'OK', denied: 'Failed', skipped: 'Not checked' } as const;

function LightRow({ light, check }: { light: Light; check: VerifyCheck }) {
  const state = lightState(check);
  return (
    <li className={`light ${state}`} data-light={light} data-state={state}>
      <span className="dot" aria-hidden="true" />
      <div className="light-body">
        <p className="light-title">
          <strong>{LIGHT_NAMES[light]}</strong> <span className="light-state">{STATE_WORDS[state]}</span>
          {check.s3Code !== undefined && <span className="badge">{check.s3Code}</span>}
        </p>
        <p className="light-call">
          <code>{check.operation}</code> needs <code>{check.action}</code> on <code className="resource">{check.resource}</code>
        </p>
        {!check.ok && check.message !== undefined && <p className="light-reason">{check.message}</p>}
        {!check.ok && check.fix !== undefined && (
          <p className="light-fix">
            <strong>Fix:</strong> {check.fix}
          </p>
        )}
      </div>
    </li>
  );
}

function CorsResult({ cors }: { cors: CorsCheck }) {
  const state = cors.ok ? 'ok' : 'denied';
  return (
    <div className="cors-result">
      <h3>Images in the browser (CORS)</h3>
      <div className={`light ${state}`} data-light="cors" data-state={state}>
        <span className="dot" aria-hidden="true" />
        <div className="light-body">
          <p className="light-title">
            <strong>CORS</strong> <span className="light-state">{cors.ok ? 'OK' : 'Failed'}</span>
          </p>
          <p className="light-reason">{cors.message}</p>
        </div>
      </div>
      {cors.configuration !== null && (
        <CodeBlock
          text={JSON.stringify(cors.configuration, null, 2)}
          label="CORS configuration (S3 console → bucket → Permissions → CORS)"
          copyLabel="Copy CORS configuration"
        />
      )}
    </div>
  );
}
