/** Creating a silence: the alert's labels as matchers, a duration and a comment (admin only). */
import { useState } from 'preact/hooks';
import type { AlertView, CreateSilenceRequest } from '../../src/console/contract.ts';
import { postJson } from '../lib/api.ts';

const DURATIONS = ['30m', '1h', '2h', '4h', '12h', '1d', '7d'];

export function SilenceForm({ alert, onDone }: { alert: AlertView; onDone(message: string): void }) {
  const [duration, setDuration] = useState('1h');
  const [comment, setComment] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const labels = Object.entries({ alertname: alert.name, ...alert.labels }).filter(
    ([k]) => k === 'alertname' || k === 'instance' || k === 'job',
  );
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    const body: CreateSilenceRequest = {
      matchers: labels.map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
      duration,
      comment,
    };
    try {
      const r = await postJson<{ id: string }>('/console/api/silences', body);
      onDone(`Silence ${r.id} created.`);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const id = `silence-${alert.name}`;
  return (
    <form class="silence-form" onSubmit={submit} aria-label={`Silence ${alert.name}`}>
      <p class="muted">Matches {labels.map(([k, v]) => `${k}="${v}"`).join(', ')}</p>
      <label for={`${id}-duration`}>Duration</label>
      <select id={`${id}-duration`} value={duration} onChange={(e) => setDuration(e.currentTarget.value)}>
        {DURATIONS.map((d) => (
          <option key={d} value={d}>
            {d}
          </option>
        ))}
      </select>
      <label for={`${id}-comment`}>Comment</label>
      <input
        id={`${id}-comment`}
        required
        maxLength={500}
        value={comment}
        onInput={(e) => setComment(e.currentTarget.value)}
      />
      <button type="submit" class="primary" disabled={busy}>
        Create silence
      </button>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </form>
  );
}
