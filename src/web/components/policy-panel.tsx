import { useQuery } from '@tanstack/react-query';
import { api } from '../api.js';
import { CodeBlock } from './code-block.js';
import { ErrorMessage } from './error-message.js';

/** The least-privilege identity policy for a dataset's locations, to attach to its IAM user or role. */
export function PolicyPanel({ dataset }: { dataset: string }) {
  const policy = useQuery({ queryKey: ['policy', dataset], queryFn: () => api.policy(dataset), staleTime: Infinity });
  return (
    <section className="policy-panel" aria-labelledby="policy-heading">
      <h2 id="policy-heading">Least-privilege policy</h2>
      <p>
        Everything Winnow needs and nothing more: listing limited to this folder, reads inside it, writes and deletes only under its <code>.winnow/</code>{' '}
        folder. Attach it to the IAM user or role in place of a broader one.
      </p>
      {policy.isPending && <p aria-busy="true">Generating…</p>}
      {policy.isError && <ErrorMessage error={policy.error} />}
      {policy.data && <CodeBlock text={JSON.stringify(policy.data.policy, null, 2)} label="IAM policy (JSON)" copyLabel="Copy policy" />}
    </section>
  );
}
