// The auth module's public face.
export { authRouter } from './router.ts';
export { UserSchema } from './schema.ts';
