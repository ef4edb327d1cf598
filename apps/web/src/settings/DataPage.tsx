// Your data: everything the account holds as one JSON file, streamed by the server (any size of account), and
// chats imported from ChatGPT or another Parley account.
import { Download } from 'lucide-react';
import { Card } from '../ui/Card.tsx';
import { ImportCard } from './ImportCard.tsx';

export function DataPage() {
  return (
    <>
      <ExportCard />
      <ImportCard />
    </>
  );
}

function ExportCard() {
  return (
    <Card
      title="Export your data"
      description="Profile, preferences, providers (without their keys), chats and messages, as one JSON file."
    >
      <div>
        {/* A plain same-origin link: the browser sends the session cookie and saves the attachment itself. */}
        <a
          href="/api/export"
          download
          className="inline-flex h-10 items-center gap-2 rounded-lg border border-border bg-raised px-4 text-sm font-medium hover:bg-surface"
        >
          <Download size={16} aria-hidden /> Download my data
        </a>
      </div>
    </Card>
  );
}
