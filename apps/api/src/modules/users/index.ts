// The users module's public face.
export { resumeAccountDeletions, stopAccountDeletions } from './deletion.ts';
export { exportRoutePlugin } from './export-route.ts';
export { usersRouter } from './router.ts';
export { promoteAdmins } from './service.ts';
