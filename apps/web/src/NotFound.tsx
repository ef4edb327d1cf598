// What an unknown address shows: the app's own page, with a way back.
import { Link } from 'react-router';

export function NotFound({ what = 'page' }: { what?: 'page' | 'chat' }) {
  return (
    <div className="flex flex-1 flex-col items-center justify-center gap-3 p-8 text-center">
      <p className="text-sm font-medium text-muted">404</p>
      <h1 className="text-2xl font-semibold">{what === 'chat' ? 'This chat does not exist' : 'Page not found'}</h1>
      <p className="text-muted">
        {what === 'chat'
          ? 'It may have been deleted, or the link is wrong.'
          : 'The address may be mistyped, or the page has moved.'}
      </p>
      <Link to="/" className="font-medium text-accent underline">
        Start a new chat
      </Link>
    </div>
  );
}
