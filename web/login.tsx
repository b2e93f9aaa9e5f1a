/** The sign-in page: one form, one error line that never says whether the user exists. */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { safeNext } from '../src/console/return-path.ts';

function Login() {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const r = await fetch('/console/api/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ user, password }),
        credentials: 'same-origin',
        cache: 'no-store',
      });
      if (r.ok) {
        location.assign(safeNext(new URLSearchParams(location.search).get('next')));
        return;
      }
      if (r.status === 429) {
        const wait = Number(r.headers.get('Retry-After'));
        setError(
          Number.isFinite(wait) && wait > 0
            ? `Too many attempts. Try again in ${Math.ceil(wait)} s.`
            : 'Too many attempts. Try again later.',
        );
      } else if (r.status === 401) {
        setError('Wrong user name or password.');
      } else {
        setError(`Sign-in failed (the server answered ${r.status}).`);
      }
    } catch {
      setError('The console cannot be reached.');
    } finally {
      setBusy(false);
      setPassword('');
    }
  };

  return (
    <main id="main" class="login">
      <h1>redoubt</h1>
      <form onSubmit={submit} aria-describedby={error ? 'login-error' : undefined}>
        <label for="user">User</label>
        <input
          id="user"
          name="user"
          autoComplete="username"
          required
          value={user}
          onInput={(e) => setUser(e.currentTarget.value)}
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <p id="login-error" role="alert" class="error">
          {error}
        </p>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<Login />, root);
}
