// Better Auth's React client: sign-up, sign-in, sign-out and the session, against the same origin.
import { createAuthClient } from 'better-auth/react';

export const authClient = createAuthClient({ baseURL: window.location.origin });
