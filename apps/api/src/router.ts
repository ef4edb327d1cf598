// The whole API: one router per module.
import { authRouter } from './modules/auth/index.ts';
import { chatRouter } from './modules/chat/index.ts';
import { providersRouter } from './modules/providers/index.ts';
import { usersRouter } from './modules/users/index.ts';
import { router } from './shared/trpc.ts';

export const appRouter = router({
  auth: authRouter,
  providers: providersRouter,
  chat: chatRouter,
  users: usersRouter,
});

export type AppRouter = typeof appRouter;
