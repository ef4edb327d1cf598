// Small pieces of the chat page: the refusal shown in place with what to do next, the question handed over by the
// new-chat page, and whether a chat's error means it does not exist.

import { errorDataOf } from '@parley/shared';
import { useEffect, useRef } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { errorText, nextStep } from '../errors.ts';
import { Alert } from '../ui/Alert.tsx';

/** The chat does not exist, is someone else's, or its id is malformed. */
export function isMissing(error: unknown): boolean {
  const data = errorDataOf(error);
  return data?.appCode === 'CHAT_NOT_FOUND' || data?.code === 'NOT_FOUND' || data?.code === 'BAD_REQUEST';
}

/**
 * A question handed over by the new-chat page: sent once, and taken out of the history entry (a reload does not
 * send it again).
 */
export function useHandedOverQuestion(send: (text: string) => void) {
  const navigate = useNavigate();
  const location = useLocation();
  const handedOver = useRef(false);
  useEffect(() => {
    const text = (location.state as { send?: string } | null)?.send;
    if (text && !handedOver.current) {
      handedOver.current = true;
      void navigate(location.pathname, { replace: true, state: null });
      send(text);
    }
  });
}

export function FailureAlert({ error }: { error: unknown }) {
  const step = nextStep(error);
  return (
    <div className="mt-4">
      <Alert>
        {errorText(error)}
        {step && (
          <>
            {' '}
            {step.hint}{' '}
            {step.link && (
              <Link className="font-medium underline" to={step.link.to}>
                {step.link.label}
              </Link>
            )}
          </>
        )}
      </Alert>
    </div>
  );
}
