// The users module's public face.
export { usersRouter } from './router.ts';
export { promoteAdmins } from './service.ts';
