import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { ErrorMessage } from '../components/error-message.js';
import { PageHeading } from '../components/page-heading.js';
import { queryClient, sessionKey } from '../query-client.js';
import { navigate } from '../router.js';

export function SignInPage({ linkExpired }: { linkExpired: boolean }) {
  const [token, setToken] = useState('');
  const signIn = useMutation({
    mutationFn: api.signIn,
    onSuccess: () => {
      queryClient.setQueryData(sessionKey, { signedIn: true });
      navigate(window.location.pathname, { replace: true });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate(token.trim());
  };
  return (
    <main id="main" className="sign-in">
      <form className="card" onSubmit={submit} aria-describedby="sign-in-help">
        <p className="brand">Winnow</p>
        <PageHeading title="Sign in">Sign in</PageHeading>
        {linkExpired && (
          <p className="notice" role="status">
            That sign-in link does not work any more: each link signs in once, and only while the <code>winnow serve</code> that printed it runs. Sign in with
            an API token (<code>winnow token create &lt;name&gt;</code>), or restart <code>winnow serve</code> for a new link.
          </p>
        )}
        <label htmlFor="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          value={token}
          onChange={(event) => setToken(event.target.value)}
        />
        <p id="sign-in-help" className="help">
          Open the sign-in link that <code>winnow serve</code> printed, or paste a token from <code>winnow token create &lt;name&gt;</code>.
        </p>
        {signIn.isError && <ErrorMessage error={signIn.error} />}
        <button type="submit" className="primary" disabled={signIn.isPending || token.trim() === ''}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
