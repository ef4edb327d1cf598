// pnpm users:promote <email> — makes an existing user an admin (the first admin, without ADMIN_EMAILS).
import { promoteAdmins } from '../src/modules/users/index.ts';
import { withDatabase } from './lib/script.ts';

const email = process.argv[2]?.trim();
if (!email?.includes('@')) {
  process.stderr.write('usage: pnpm users:promote <email of an existing user>\n');
  process.exit(2);
}
await withDatabase('users:promote', async ({ database }) => {
  const promoted = await promoteAdmins({ db: database.db, emails: [email] });
  process.stdout.write(
    promoted > 0 ? `${email} is now an admin\n` : `no user with the email ${email}, or already an admin\n`,
  );
  if (promoted === 0) process.exitCode = 1;
});
