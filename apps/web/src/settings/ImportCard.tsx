// Import: a ChatGPT export's conversations.json or a Parley export, uploaded as it is (POST /api/import); the
// server answers with a report. A conversation imported before is skipped, so the same file can be sent again.
import { useQueryClient } from '@tanstack/react-query';
import { Upload } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useTRPC } from '../trpc.ts';
import { Alert } from '../ui/Alert.tsx';
import { Button } from '../ui/Button.tsx';
import { Card } from '../ui/Card.tsx';
import { inputClass, SelectField } from '../ui/Field.tsx';

interface ImportReport {
  chats: number;
  messages: number;
  skipped: number;
  errors: { conversation: string; reason: string }[];
  notes?: { reason: string; count: number }[];
}

type State =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'done'; report: ImportReport }
  | { kind: 'failed'; message: string; report?: ImportReport };

export function ImportCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [state, setState] = useState<State>({ kind: 'idle' });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const file = form.get('file');
    if (!(file instanceof File) || file.size === 0) {
      setState({ kind: 'failed', message: 'Choose a file to import.' });
      return;
    }
    setState({ kind: 'busy' });
    try {
      const response = await fetch(`/api/import?format=${encodeURIComponent(String(form.get('format')))}`, {
        method: 'POST',
        body: file,
        headers: { 'content-type': 'application/json' },
        credentials: 'same-origin',
      });
      const body = (await response.json()) as ImportReport & { message?: string; report?: ImportReport };
      if (response.ok) setState({ kind: 'done', report: body });
      else setState({ kind: 'failed', message: body.message ?? `HTTP ${response.status}`, report: body.report });
    } catch (error) {
      setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
    await queryClient.invalidateQueries({ queryKey: trpc.chat.list.infiniteQueryKey() });
  }

  return (
    <Card
      title="Import chats"
      description="From ChatGPT (Settings → Data controls → Export; upload conversations.json from the archive) or from a Parley export. Conversations imported before are skipped."
    >
      <form className="flex flex-col gap-4" onSubmit={submit} aria-label="Import chats">
        <SelectField label="Format" name="format" defaultValue="chatgpt">
          <option value="chatgpt">ChatGPT conversations.json</option>
          <option value="parley">Parley export</option>
        </SelectField>
        <div className="flex flex-col gap-1.5">
          <label htmlFor="import-file" className="text-sm font-medium">
            File
          </label>
          <input id="import-file" name="file" type="file" accept=".json,application/json" className={inputClass} />
        </div>
        <div>
          <Button type="submit" variant="primary" disabled={state.kind === 'busy'}>
            <Upload size={16} aria-hidden /> {state.kind === 'busy' ? 'Importing…' : 'Import'}
          </Button>
        </div>
      </form>
      {state.kind === 'done' && (
        <Alert tone="ok">
          <Summary report={state.report} />
        </Alert>
      )}
      {state.kind === 'failed' && (
        <Alert>
          The file could not be imported: {state.message}
          {state.report && <Summary report={state.report} />}
        </Alert>
      )}
    </Card>
  );
}

function Summary({ report }: { report: ImportReport }) {
  return (
    <div data-testid="import-report">
      <p>
        Imported {report.chats} chat{report.chats === 1 ? '' : 's'} ({report.messages} messages); skipped{' '}
        {report.skipped} already imported.
      </p>
      {report.errors.length > 0 && (
        <ul className="mt-2 list-disc pl-5">
          {report.errors.map((e) => (
            <li key={`${e.conversation}:${e.reason}`}>
              {e.conversation}: {e.reason}
            </li>
          ))}
        </ul>
      )}
      {report.notes && report.notes.length > 0 && (
        <ul className="mt-2 list-disc pl-5 text-muted">
          {report.notes.map((n) => (
            <li key={n.reason}>
              {n.reason} ({n.count})
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
